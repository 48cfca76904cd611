/** The built-in pre-tokenizers, registered by their tokenizer.json `"type"`. */
import { ByteLevelPreTokenizer } from "./byte-level.js";
import { Digits } from "./digits.js";
import { Metaspace } from "./metaspace.js";
import { preTokenizerRegistry } from "./pre-tokenizer.js";
import { BertPreTokenizer, Punctuation } from "./punctuation.js";
import { PreTokenizerSequence } from "./sequence.js";
import { Split } from "./split.js";
import { Whitespace, WhitespaceSplit } from "./whitespace.js";

preTokenizerRegistry.register("ByteLevel", ByteLevelPreTokenizer.fromJSON);
preTokenizerRegistry.register("Whitespace", () => new Whitespace());
preTokenizerRegistry.register("WhitespaceSplit", () => new WhitespaceSplit());
preTokenizerRegistry.register("BertPreTokenizer", () => new BertPreTokenizer());
preTokenizerRegistry.register("Punctuation", Punctuation.fromJSON);
preTokenizerRegistry.register("Digits", Digits.fromJSON);
preTokenizerRegistry.register("Split", Split.fromJSON);
preTokenizerRegistry.register("Sequence", PreTokenizerSequence.fromJSON);
preTokenizerRegistry.register("Metaspace", Metaspace.fromJSON);

export { preTokenizerRegistry, type PreTokenizer } from "./pre-tokenizer.js";
export { ByteLevelPreTokenizer, GPT2_REGEX, byteLevelTransform, type ByteLevelOptions } from "./byte-level.js";
export { Digits } from "./digits.js";
export { Metaspace, type MetaspaceOptions, type PrependScheme } from "./metaspace.js";
export { BertPreTokenizer, Punctuation, isPunctuation } from "./punctuation.js";
export { PreTokenizerSequence } from "./sequence.js";
export { Split } from "./split.js";
export { Whitespace, WhitespaceSplit } from "./whitespace.js";
