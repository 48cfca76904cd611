/**
 * Model inputs for sequence classification: each text encoded once to ids with the tokenizer's special
 * tokens (`[CLS] … [SEP]` for BERT), a long text cut to its first and last tokens ("head + tail"
 * truncation, Sun et al. 2019, "How to Fine-Tune BERT for Text Classification", §5.3.1: the head and
 * the tail of a long document together beat either alone), and padded batches with an attention mask
 * (each batch padded only to its own longest sequence).
 */
import { ValueError } from "../../errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { Encoding } from "../../tokenizers/encoding.js";
import { postProcess } from "../../tokenizers/processors/post-processor.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

/** How texts become model inputs: the length cap and how much of it the head gets. */
export interface ClassificationInputOptions {
  /** Most tokens per sequence, special tokens included (≤ the model's max_position_embeddings). */
  maxLength: number;
  /**
   * Of the tokens a long text keeps (maxLength minus the special tokens), how many come from its
   * start; the rest come from its end. Default: half (rounded up); maxLength − specials = head only.
   */
  headTokens?: number;
}

/** Texts encoded for a classifier: ids per text (special tokens included) and the id padding uses. */
export interface ClassificationInputs {
  ids: Int32Array[];
  padId: number;
}

/** The id of the tokenizer's padding token: its padding settings, else `[PAD]`, `<pad>`, else 0. */
export function paddingId(tokenizer: Tokenizer): number {
  return tokenizer.padding?.padId ?? tokenizer.tokenToId("[PAD]") ?? tokenizer.tokenToId("<pad>") ?? 0;
}

/** The head-token budget for `maxLength` with `specials` special tokens, checked. */
export function headTokenBudget(tokenizer: Tokenizer, options: ClassificationInputOptions): { kept: number; head: number } {
  const specials = tokenizer.postProcessor?.addedTokens(false) ?? 0;
  const kept = options.maxLength - specials;
  if (!Number.isInteger(options.maxLength) || kept < 1) {
    throw new ValueError(`classification inputs: maxLength ${options.maxLength} leaves no room for text beside the ${specials} special tokens`);
  }
  const head = options.headTokens ?? Math.ceil(kept / 2);
  if (!Number.isInteger(head) || head < 0 || head > kept) throw new ValueError(`classification inputs: headTokens must be an integer in [0, ${kept}], got ${head}`);
  return { kept, head };
}

/**
 * Encodes texts: the tokenizer's pipeline, head + tail truncation, then its special tokens. The
 * tokenizer's own truncation and padding settings (a tokenizer.json may carry them) are set aside
 * meanwhile: a right truncation first would lose the tail.
 */
export function encodeClassificationInputs(tokenizer: Tokenizer, texts: readonly string[], options: ClassificationInputOptions): ClassificationInputs {
  const { kept, head } = headTokenBudget(tokenizer, options);
  const padId = paddingId(tokenizer);
  const { truncation, padding } = tokenizer;
  tokenizer.truncation = undefined;
  tokenizer.padding = undefined;
  try {
    const ids = texts.map((text) => {
      // encodeIds takes the tokenizer's fast path where it has one; the post-processor needs only the ids.
      let content = tokenizer.encodeIds(text, { addSpecialTokens: false });
      if (content.length > kept) content = [...content.slice(0, head), ...content.slice(content.length - (kept - head))];
      const e = new Encoding({ ids: content, tokens: content.map(() => ""), offsets: content.map((): [number, number] => [0, 0]) });
      return Int32Array.from(postProcess(tokenizer.postProcessor, e, undefined, true).ids);
    });
    return { ids, padId };
  } finally {
    tokenizer.truncation = truncation;
    tokenizer.padding = padding;
  }
}

/** One padded batch: ids and attention mask [B, T] (T = the batch's longest sequence). */
export interface ClassificationBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
}

/** The sequences at `indices`, padded on the right with `padId` to the longest of them. */
export function classificationBatch(inputs: ClassificationInputs, indices: readonly number[]): ClassificationBatch {
  const seqs = indices.map((i) => inputs.ids[i] as Int32Array);
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const B = seqs.length;
  const ids = new Int32Array(B * T).fill(inputs.padId);
  const mask = new Int32Array(B * T);
  seqs.forEach((s, b) => {
    ids.set(s, b * T);
    mask.fill(1, b * T, b * T + s.length);
  });
  return { inputIds: new Tensor(ids, [B, T]), attentionMask: new Tensor(mask, [B, T]) };
}
