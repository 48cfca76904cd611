/** Registers the model families loom ships with (importing this module is what makes them known). */
import { albertFamily } from "./albert/family.js";
import { bertFamily } from "./bert/family.js";
import { distilBertFamily } from "./distilbert/family.js";
import { gptFamily } from "./gpt/family.js";
import { registerModelFamily } from "./registry.js";
import { robertaFamily } from "./roberta/family.js";
import { recurrentLMFamily } from "./rnnlm/family.js";
import { seq2seqFamily } from "./seq2seq/family.js";
import { t5Family } from "./t5/family.js";
import { transformerFamily } from "./transformer/family.js";

registerModelFamily(gptFamily);
registerModelFamily(recurrentLMFamily);
registerModelFamily(seq2seqFamily);
registerModelFamily(t5Family);
registerModelFamily(transformerFamily);
registerModelFamily(bertFamily);
registerModelFamily(robertaFamily);
registerModelFamily(albertFamily);
registerModelFamily(distilBertFamily);
