/**
 * SentencePiece `.model` files in loom: `fromSentencePiece(path)` reads one into a `Tokenizer` that
 * encodes as libsentencepiece does (also `Tokenizer.fromSentencePiece`), and
 * `sentencePieceToTokenizerJSON` gives the equivalent tokenizer.json.
 */
import { Tokenizer } from "../tokenizer.js";

export { mergesFromScores, readSentencePieceModel, sentencePieceToTokenizerJSON } from "./convert.js";
export {
  defaultNormalizerSpec,
  defaultTrainerSpec,
  ModelType,
  parseModelProto,
  PieceType,
  type ModelProto,
  type NormalizerSpec,
  type SentencePiece,
  type TrainerSpec,
} from "./model-proto.js";

/** Loads a SentencePiece `.model` file; a truncated or malformed file fails with a FormatError naming it and the field. */
export function fromSentencePiece(path: string): Tokenizer {
  return Tokenizer.fromSentencePiece(path);
}
