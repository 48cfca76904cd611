/** The built-in post-processors, registered by their tokenizer.json `"type"`. */
import { BertProcessing, RobertaProcessing } from "./bert.js";
import { ByteLevelProcessor } from "./byte-level.js";
import { postProcessorRegistry } from "./post-processor.js";
import { PostProcessorSequence } from "./sequence.js";
import { TemplateProcessing } from "./template.js";

postProcessorRegistry.register("TemplateProcessing", TemplateProcessing.fromJSON);
postProcessorRegistry.register("BertProcessing", BertProcessing.fromJSON);
postProcessorRegistry.register("RobertaProcessing", RobertaProcessing.fromJSON);
postProcessorRegistry.register("ByteLevel", ByteLevelProcessor.fromJSON);
postProcessorRegistry.register("Sequence", PostProcessorSequence.fromJSON);

export { postProcessorRegistry, postProcess, type PostProcessor } from "./post-processor.js";
export { BertProcessing, RobertaProcessing } from "./bert.js";
export { ByteLevelProcessor } from "./byte-level.js";
export { PostProcessorSequence } from "./sequence.js";
export { TemplateProcessing, parseTemplate, type TemplatePiece, type SpecialTokenEntry } from "./template.js";
export { trimByteLevelOffsets } from "./trim-offsets.js";
