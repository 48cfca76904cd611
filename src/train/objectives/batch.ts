/**
 * A pretraining batch from instances: each instance put into the tokenizer's layout (`[CLS] A [SEP] B
 * [SEP]`, token type ids), masked afresh (dynamic masking, HF's or Google's way), padded to the
 * longest sequence of the batch with the pad id (attention mask 0, label −100), as tensors the BERT
 * heads take: inputIds, attentionMask, tokenTypeIds, labels [B, T] and nextSentenceLabel [B].
 */
import { ValueError } from "../../errors.js";
import type { Generator } from "../../tensor/rng.js";
import { Tensor } from "../../tensor/tensor.js";
import { assemble, type SequenceLayout } from "./layout.js";
import { IGNORE_INDEX, maskTokensGoogle, maskTokensHf, type GoogleMaskingOptions, type HfMaskingOptions, type MaskedSequence } from "./masking.js";
import type { PretrainingInstance } from "./pairs.js";
import type { MaskingVocabulary } from "./vocabulary.js";

/** "hf": DataCollatorForLanguageModeling's per-token draw; "google": create_pretraining_data's exact count. */
export type MaskingStyle = "hf" | "google";

/** How a batch is masked: the style and its options. */
export interface BatchMaskingOptions extends HfMaskingOptions, GoogleMaskingOptions {
  masking: MaskingStyle;
}

/** A batch ready for `BertForPreTraining.forward` / `BertForMaskedLM.forward`. */
export interface PretrainingBatch {
  /** [B, T] int32 */
  inputIds: Tensor;
  /** [B, T] int32: 1 real token, 0 padding */
  attentionMask: Tensor;
  /** [B, T] int32 segment ids */
  tokenTypeIds: Tensor;
  /** [B, T] int32: the original id at predicted positions, −100 elsewhere */
  labels: Tensor;
  /** [B] int32 sentence-pair labels (NSP: 1 = random B; SOP: 1 = swapped); absent for single sequences. */
  nextSentenceLabel?: Tensor;
}

/** HF's DataCollatorForWholeWordMask predicts at most this many tokens per sequence (its max_predictions). */
const HF_WHOLE_WORD_MAX_PREDICTIONS = 512;

/**
 * Masks one assembled sequence the chosen way (its inserted special tokens are never chosen). HF with
 * whole words is HF's DataCollatorForWholeWordMask, which selects as Google's script does
 * (round(p·n) positions in shuffled whole words, at most 512).
 */
export function maskSequence(ids: Int32Array, specialMask: Uint8Array, vocab: MaskingVocabulary, options: BatchMaskingOptions, rng: Generator): MaskedSequence {
  if (options.masking === "google") return maskTokensGoogle(ids, vocab, rng, options, specialMask);
  if (options.wholeWord) {
    const p = options.mlmProbability ?? 0.15;
    return maskTokensGoogle(ids, vocab, rng, { ...options, maskedLmProb: p, maxPredictions: HF_WHOLE_WORD_MAX_PREDICTIONS, maxNgram: 1 }, specialMask);
  }
  return maskTokensHf(ids, vocab, rng, options, specialMask);
}

/**
 * Assembles, masks and pads `instances` into one batch. Pairs (instances with a B) get
 * nextSentenceLabel; a batch mixes no pairs and single sequences.
 */
export function collatePretrainingBatch(
  instances: readonly PretrainingInstance[],
  layout: SequenceLayout,
  vocab: MaskingVocabulary,
  padTokenId: number,
  options: BatchMaskingOptions,
  rng: Generator,
): PretrainingBatch {
  if (instances.length === 0) throw new ValueError("collatePretrainingBatch: no instances");
  const pairs = (instances[0] as PretrainingInstance).b.length > 0;
  const rows = instances.map((x) => {
    if ((x.b.length > 0) !== pairs) throw new ValueError("collatePretrainingBatch: a batch mixes sentence pairs and single sequences");
    const seq = assemble(layout, x.a, pairs ? x.b : undefined);
    return { seq, masked: maskSequence(seq.ids, seq.specialMask, vocab, options, rng) };
  });
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.seq.ids.length));
  const inputIds = new Int32Array(B * T).fill(padTokenId);
  const attentionMask = new Int32Array(B * T);
  const tokenTypeIds = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  rows.forEach(({ seq, masked }, r) => {
    inputIds.set(masked.inputIds, r * T);
    attentionMask.fill(1, r * T, r * T + seq.ids.length);
    tokenTypeIds.set(seq.tokenTypeIds, r * T);
    labels.set(masked.labels, r * T);
  });
  const batch: PretrainingBatch = {
    inputIds: new Tensor(inputIds, [B, T]),
    attentionMask: new Tensor(attentionMask, [B, T]),
    tokenTypeIds: new Tensor(tokenTypeIds, [B, T]),
    labels: new Tensor(labels, [B, T]),
  };
  if (pairs) batch.nextSentenceLabel = new Tensor(Int32Array.from(instances, (x) => x.label), [B]);
  return batch;
}
