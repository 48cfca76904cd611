/** The built-in models, registered by their tokenizer.json `"type"`. */
import { BPE } from "./bpe/model.js";
import { modelRegistry } from "./registry.js";
import { WordLevel } from "./wordlevel/model.js";
import { WordPiece } from "./wordpiece/model.js";

modelRegistry.register("BPE", BPE.fromJSON);
modelRegistry.register("WordPiece", WordPiece.fromJSON);
modelRegistry.register("WordLevel", WordLevel.fromJSON);

export { modelRegistry } from "./registry.js";
export type { Model, Token } from "./model.js";
export { BPE, readVocab, type BpeOptions } from "./bpe/model.js";
export { WordPiece, type WordPieceOptions } from "./wordpiece/model.js";
export { WordLevel } from "./wordlevel/model.js";
