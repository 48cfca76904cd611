/**
 * Seq2Seq settings: a typed plain object with documented defaults (STYLE.md §6), validated once.
 */
import { ValueError } from "../../errors.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { unknownKeyMessage } from "../config-fields.js";

/** config.json's model_type for a saved Seq2Seq. */
export const SEQ2SEQ_MODEL_TYPE = "loom-seq2seq";

/** The recurrent cell of a Seq2Seq encoder and decoder. */
export type RecurrentCellKind = "lstm" | "gru";
/** The attention of a Seq2Seq decoder: additive (Bahdanau) or one of Luong's multiplicative scores. */
export type AttentionKind = "bahdanau" | "luong-dot" | "luong-general" | "luong-concat";

/** Settings of a {@link Seq2Seq} model: vocabularies, sizes, cell, attention, dropout. */
export interface Seq2SeqConfig {
  /** Source vocabulary size. */
  srcVocab: number;
  /** Target vocabulary size (BOS, EOS and PAD included). */
  tgtVocab: number;
  /** Token embedding size, both sides. */
  embedDim: number;
  /** Hidden size of each encoder direction and of the decoder. */
  hiddenSize: number;
  cell: RecurrentCellKind;
  /** Stacked layers of the encoder; the decoder has as many, so final states map layer to layer. */
  encoderLayers: number;
  /** Read the source both ways; the two final states are bridged into the decoder's by a Linear layer. */
  bidirectionalEncoder: boolean;
  /**
   * "bahdanau": additive score with the previous decoder state as query, context fed into the decoder
   * input (input feeding). "luong-*": score with the current decoder state, no input feeding.
   */
  attention: AttentionKind;
  /** Dropout on embeddings, between stacked layers and before the output projection. */
  dropout: number;
  padId: number;
  bosId: number;
  eosId: number;
  /** Parameter dtype ("float64" for gradient checks). */
  dtype: FloatDType;
}

/** Defaults of every Seq2Seq setting except the vocabulary sizes. */
export const defaultSeq2SeqConfig: Omit<Seq2SeqConfig, "srcVocab" | "tgtVocab"> = {
  embedDim: 32,
  hiddenSize: 64,
  cell: "gru",
  encoderLayers: 1,
  bidirectionalEncoder: true,
  attention: "luong-general",
  dropout: 0,
  padId: 0,
  bosId: 1,
  eosId: 2,
  dtype: "float32",
};

/** Seq2Seq settings as given to the constructor: the vocabulary sizes, anything else optional. */
export type Seq2SeqOptions = Partial<Seq2SeqConfig> & Pick<Seq2SeqConfig, "srcVocab" | "tgtVocab">;

const FIELDS = ["srcVocab", "tgtVocab", ...Object.keys(defaultSeq2SeqConfig)];

/** Fills in {@link defaultSeq2SeqConfig} and checks the result; an unknown key is an error naming the nearest field. */
export function seq2seqConfig(options: Seq2SeqOptions): Seq2SeqConfig {
  for (const key of Object.keys(options)) if (!FIELDS.includes(key)) throw new ValueError(`Seq2Seq: ${unknownKeyMessage(key, FIELDS)}`);
  const c: Seq2SeqConfig = { ...defaultSeq2SeqConfig, ...options };
  for (const key of ["srcVocab", "tgtVocab", "embedDim", "hiddenSize", "encoderLayers"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new ValueError(`Seq2Seq: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.cell !== "lstm" && c.cell !== "gru") throw new ValueError(`Seq2Seq: cell must be "lstm" or "gru", got "${String(c.cell)}"`);
  if (!["bahdanau", "luong-dot", "luong-general", "luong-concat"].includes(c.attention)) {
    throw new ValueError(`Seq2Seq: unknown attention "${String(c.attention)}"`);
  }
  if (c.attention === "luong-dot" && c.bidirectionalEncoder) {
    throw new ValueError("Seq2Seq: luong-dot scores qᵀk need equal sizes, but a bidirectional encoder's states are 2·hiddenSize; use luong-general or a unidirectional encoder");
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new ValueError(`Seq2Seq: dropout must be in [0, 1), got ${c.dropout}`);
  for (const key of ["padId", "bosId", "eosId"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0 || c[key] >= c.tgtVocab) {
      throw new ValueError(`Seq2Seq: ${key} must be a target id in [0, ${c.tgtVocab}), got ${c[key]}`);
    }
  }
  if (c.padId >= c.srcVocab) throw new ValueError(`Seq2Seq: padId ${c.padId} must also be a source id (< ${c.srcVocab})`);
  return c;
}
