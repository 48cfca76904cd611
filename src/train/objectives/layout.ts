/**
 * Where a tokenizer's post-processor puts its special tokens around one sequence or a pair, and which
 * token type id each part gets — read once by running the post-processor on one-token placeholders,
 * so `[CLS] A [SEP] B [SEP]` (BERT), `<s> A </s></s> B </s>` (RoBERTa) or any TemplateProcessing comes
 * from the tokenizer itself, then applied to many id arrays without building Encodings.
 */
import { ValueError } from "../../errors.js";
import { Encoding } from "../../tokenizers/encoding.js";
import { postProcess } from "../../tokenizers/processors/post-processor.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

/** One element of a layout: a special token (its id and type id) or the place of sequence A or B. */
export type LayoutPart = { kind: "special"; id: number; typeId: number } | { kind: "sequence"; sequence: 0 | 1; typeId: number };

/** The post-processor's layout for one sequence and for a pair. */
export interface SequenceLayout {
  single: readonly LayoutPart[];
  pair: readonly LayoutPart[];
}

/** An assembled model input: ids, token type ids, and 1 where a special token was inserted. */
export interface AssembledSequence {
  ids: Int32Array;
  tokenTypeIds: Int32Array;
  specialMask: Uint8Array;
}

// Placeholder ids no vocabulary has; a post-processor copies sequence ids through unchanged.
const PLACEHOLDER = [-1, -2] as const;

function placeholder(sequence: 0 | 1): Encoding {
  return new Encoding({ ids: [PLACEHOLDER[sequence]], tokens: [`<sequence ${sequence}>`], offsets: [[0, 0]], typeIds: [sequence] });
}

function readLayout(tokenizer: Tokenizer, pair: boolean): LayoutPart[] {
  const out = postProcess(tokenizer.postProcessor, placeholder(0), pair ? placeholder(1) : undefined, true);
  const parts: LayoutPart[] = [];
  const seen = [0, 0];
  out.ids.forEach((id, i) => {
    const typeId = out.typeIds[i] as number;
    const sequence = PLACEHOLDER.indexOf(id as -1 | -2);
    if (sequence >= 0) {
      seen[sequence]!++;
      parts.push({ kind: "sequence", sequence: sequence as 0 | 1, typeId });
    } else {
      parts.push({ kind: "special", id, typeId });
    }
  });
  if (seen[0] !== 1 || seen[1] !== (pair ? 1 : 0)) {
    throw new ValueError(`sequenceLayout: the tokenizer's post-processor ${tokenizer.postProcessor?.type ?? "(none)"} does not place each sequence once`);
  }
  return parts;
}

/** The tokenizer's post-processor layout (no post-processor: the sequences alone, B with type id 1). */
export function sequenceLayout(tokenizer: Tokenizer): SequenceLayout {
  return { single: readLayout(tokenizer, false), pair: readLayout(tokenizer, true) };
}

/** How many special tokens the layout adds around one sequence (`pair` false) or a pair. */
export function addedTokenCount(layout: SequenceLayout, pair: boolean): number {
  return (pair ? layout.pair : layout.single).filter((p) => p.kind === "special").length;
}

/** Puts `a` (and `b`) into the layout: the model's ids, type ids and the special-token mask. */
export function assemble(layout: SequenceLayout, a: ArrayLike<number>, b?: ArrayLike<number>): AssembledSequence {
  const parts = b === undefined ? layout.single : layout.pair;
  const sequences = [a, b ?? []];
  let n = 0;
  for (const p of parts) n += p.kind === "special" ? 1 : (sequences[p.sequence] as ArrayLike<number>).length;
  const ids = new Int32Array(n);
  const tokenTypeIds = new Int32Array(n);
  const specialMask = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    if (p.kind === "special") {
      ids[o] = p.id;
      tokenTypeIds[o] = p.typeId;
      specialMask[o++] = 1;
      continue;
    }
    const s = sequences[p.sequence] as ArrayLike<number>;
    for (let i = 0; i < s.length; i++) {
      ids[o] = s[i] as number;
      tokenTypeIds[o++] = p.typeId;
    }
  }
  return { ids, tokenTypeIds, specialMask };
}
