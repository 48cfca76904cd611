/**
 * SentencePiece's `ModelProto` (sentencepiece_model.proto), read from a `.model` file: the pieces with
 * their scores and types, the trainer settings that matter for encoding, and the normalizer spec with
 * its precompiled charsmap. Absent fields take the defaults the .proto declares.
 */
import { FormatError } from "../../errors.js";
import { FieldReader, ProtoReader } from "./protobuf.js";

/** `ModelProto.SentencePiece.Type`. */
export enum PieceType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
}

/** `TrainerSpec.ModelType`. */
export enum ModelType {
  UNIGRAM = 1,
  BPE = 2,
  WORD = 3,
  CHAR = 4,
}

/** One piece of a SentencePiece model: text, score, type (normal, unknown, control, user-defined, byte). */
export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

/** The training settings a SentencePiece model records (model type, byte fallback, special ids, …). */
export interface TrainerSpec {
  modelType: ModelType;
  vocabSize: number;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
  unkSurface: string;
  treatWhitespaceAsSuffix: boolean;
  splitDigits: boolean;
  controlSymbols: string[];
  userDefinedSymbols: string[];
}

/** SentencePiece's normalisation settings (rule name, precompiled map, dummy prefix, whitespace handling). */
export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/** A decoded SentencePiece `.model` file (a protobuf ModelProto). */
export interface ModelProto {
  pieces: SentencePiece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
}

/** The defaults of sentencepiece_model.proto for fields a file leaves out. */
export const defaultTrainerSpec: TrainerSpec = {
  modelType: ModelType.UNIGRAM,
  vocabSize: 8000,
  byteFallback: false,
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: -1,
  unkPiece: "<unk>",
  bosPiece: "<s>",
  eosPiece: "</s>",
  padPiece: "<pad>",
  unkSurface: " \u2047 ",
  treatWhitespaceAsSuffix: false,
  splitDigits: false,
  controlSymbols: [],
  userDefinedSymbols: [],
};

/** The normaliser settings SentencePiece assumes when a model omits them. */
export const defaultNormalizerSpec: NormalizerSpec = {
  name: "",
  precompiledCharsmap: new Uint8Array(0),
  addDummyPrefix: true,
  removeExtraWhitespaces: true,
  escapeWhitespaces: true,
};

/** Parses a serialised ModelProto; `file` names the source in errors. */
export function parseModelProto(data: Uint8Array, file: string): ModelProto {
  const pieces: SentencePiece[] = [];
  let trainerSpec: TrainerSpec = { ...defaultTrainerSpec, controlSymbols: [], userDefinedSymbols: [] };
  let normalizerSpec: NormalizerSpec = { ...defaultNormalizerSpec };
  const reader = new ProtoReader(data, file, "");
  const top = new FieldReader(file, "ModelProto");
  while (!reader.done) {
    const field = reader.next();
    if (field.number === 1) pieces.push(parsePiece(top.bytes(field, "pieces"), file, `pieces[${pieces.length}]`));
    else if (field.number === 2) trainerSpec = parseTrainerSpec(top.bytes(field, "trainer_spec"), file);
    else if (field.number === 3) normalizerSpec = parseNormalizerSpec(top.bytes(field, "normalizer_spec"), file);
    // 4 self_test_data, 5 denormalizer_spec and unknown fields are skipped, as protobuf parsers do.
  }
  if (pieces.length === 0) throw new FormatError(file, "pieces", "the model has no pieces");
  // Only the unknown piece is needed to encode; bos/eos/pad ids may name pieces a model leaves out.
  if (trainerSpec.unkId >= pieces.length) {
    throw new FormatError(file, "trainer_spec.unk_id", `${trainerSpec.unkId} is past the ${pieces.length} pieces`);
  }
  return { pieces, trainerSpec, normalizerSpec };
}

function parsePiece(data: Uint8Array, file: string, path: string): SentencePiece {
  const reader = new ProtoReader(data, file, path);
  const f = new FieldReader(file, path);
  const piece: SentencePiece = { piece: "", score: 0, type: PieceType.NORMAL };
  let hasPiece = false;
  while (!reader.done) {
    const field = reader.next();
    if (field.number === 1) {
      piece.piece = f.string(field, "piece");
      hasPiece = true;
    } else if (field.number === 2) piece.score = f.float(field, "score");
    else if (field.number === 3) {
      const type = f.int32(field, "type");
      if (!(type in PieceType)) throw new FormatError(file, `${path}.type`, `unknown piece type ${type}`);
      piece.type = type as PieceType;
    }
  }
  if (!hasPiece) throw new FormatError(file, `${path}.piece`, "missing");
  return piece;
}

function parseTrainerSpec(data: Uint8Array, file: string): TrainerSpec {
  const path = "trainer_spec";
  const reader = new ProtoReader(data, file, path);
  const f = new FieldReader(file, path);
  const spec: TrainerSpec = { ...defaultTrainerSpec, controlSymbols: [], userDefinedSymbols: [] };
  while (!reader.done) {
    const field = reader.next();
    switch (field.number) {
      case 3: {
        const type = f.int32(field, "model_type");
        if (!(type in ModelType)) throw new FormatError(file, `${path}.model_type`, `unknown model type ${type}`);
        spec.modelType = type as ModelType;
        break;
      }
      case 4: spec.vocabSize = f.int32(field, "vocab_size"); break;
      case 24: spec.treatWhitespaceAsSuffix = f.bool(field, "treat_whitespace_as_suffix"); break;
      case 25: spec.splitDigits = f.bool(field, "split_digits"); break;
      case 30: spec.controlSymbols.push(f.string(field, "control_symbols")); break;
      case 31: spec.userDefinedSymbols.push(f.string(field, "user_defined_symbols")); break;
      case 35: spec.byteFallback = f.bool(field, "byte_fallback"); break;
      case 40: spec.unkId = f.int32(field, "unk_id"); break;
      case 41: spec.bosId = f.int32(field, "bos_id"); break;
      case 42: spec.eosId = f.int32(field, "eos_id"); break;
      case 43: spec.padId = f.int32(field, "pad_id"); break;
      case 44: spec.unkSurface = f.string(field, "unk_surface"); break;
      case 45: spec.unkPiece = f.string(field, "unk_piece"); break;
      case 46: spec.bosPiece = f.string(field, "bos_piece"); break;
      case 47: spec.eosPiece = f.string(field, "eos_piece"); break;
      case 48: spec.padPiece = f.string(field, "pad_piece"); break;
      default: break; // training-only settings
    }
  }
  return spec;
}

function parseNormalizerSpec(data: Uint8Array, file: string): NormalizerSpec {
  const path = "normalizer_spec";
  const reader = new ProtoReader(data, file, path);
  const f = new FieldReader(file, path);
  const spec: NormalizerSpec = { ...defaultNormalizerSpec };
  while (!reader.done) {
    const field = reader.next();
    switch (field.number) {
      case 1: spec.name = f.string(field, "name"); break;
      case 2: spec.precompiledCharsmap = f.bytes(field, "precompiled_charsmap"); break;
      case 3: spec.addDummyPrefix = f.bool(field, "add_dummy_prefix"); break;
      case 4: spec.removeExtraWhitespaces = f.bool(field, "remove_extra_whitespaces"); break;
      case 5: spec.escapeWhitespaces = f.bool(field, "escape_whitespaces"); break;
      default: break;
    }
  }
  return spec;
}
