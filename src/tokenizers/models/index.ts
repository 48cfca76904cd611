/** The built-in models, registered by their tokenizer.json `"type"`. */
import { BPE } from "./bpe/model.js";
import { modelRegistry } from "./registry.js";
import { Unigram } from "./unigram/model.js";
import { WordLevel } from "./wordlevel/model.js";
import { WordPiece } from "./wordpiece/model.js";

modelRegistry.register("BPE", BPE.fromJSON);
modelRegistry.register("WordPiece", WordPiece.fromJSON);
modelRegistry.register("WordLevel", WordLevel.fromJSON);
modelRegistry.register("Unigram", Unigram.fromJSON);

export { modelRegistry } from "./registry.js";
export type { Model, Token } from "./model.js";
export { BPE, readVocab, type BpeOptions } from "./bpe/model.js";
export { WordPiece, type WordPieceOptions } from "./wordpiece/model.js";
export { WordLevel } from "./wordlevel/model.js";
export { Unigram, type UnigramOptions } from "./unigram/model.js";
export { UnigramTrainer, type UnigramTrainerOptions } from "./unigram/trainer.js";
export { BpeTrainer, type BpeTrainerOptions } from "./bpe/trainer.js";
export { WordPieceTrainer, type WordPieceTrainerOptions } from "./wordpiece/trainer.js";
export { WordLevelTrainer, type WordLevelTrainerOptions } from "./wordlevel/trainer.js";
