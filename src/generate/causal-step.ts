/**
 * The decoder step of a decoder-only model: feeds token rows to it and returns the last position's
 * logits, with or without its cache (a KV cache, or a recurrent state).
 *
 * With the cache, the prompt is prefilled once and each step feeds one token per row (`lastOnly`), so a
 * step costs attention over the cached positions instead of recomputing the whole sequence. Learned
 * absolute positions make cached keys depend on where the window starts, so once a row would exceed
 * n_positions the cache is restarted from the last n_positions − 1 tokens plus the new one (a prefill of
 * the last n_positions tokens): each step past the limit then costs one full-window forward, and the
 * logits equal those of recomputing the cropped window from scratch (nanoGPT's `idx[:, -block_size:]`).
 *
 * Shapes: B rows, T window length, V vocabulary.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { DecoderStep, StepResult } from "./decoder-step.js";
import type { CausalLanguageModel, DecodingCache } from "./language-model.js";

/** rows (equal lengths) → ids [B, T] int32. */
function idsTensor(rows: readonly (readonly number[])[]): Tensor {
  const T = rows[0]?.length ?? 0;
  const data = new Int32Array(rows.length * T);
  rows.forEach((r, b) => data.set(r, b * T));
  return new Tensor(data, [rows.length, T]);
}

/**
 * The decoder-step view of a causal language model (GPT, the recurrent LM): feeds each step's new tokens through the model's
 * cache.
 */
export class CausalLanguageModelStep implements DecoderStep {
  private cache: DecodingCache | null = null;
  readonly maxPositions: number;

  constructor(readonly model: CausalLanguageModel, readonly useCache: boolean) {
    this.maxPositions = model.config.n_positions;
  }

  /**
   * Logits [B][V] of the next token after each context row. Rows have equal lengths and extend the
   * rows of the previous call by exactly one token.
   */
  next(contexts: readonly (readonly number[])[]): StepResult {
    const len = contexts[0]?.length ?? 0;
    if (len === 0) throw new ValueError("generate: the prompt must hold at least one token");
    const window = (r: readonly number[]) => r.slice(Math.max(0, r.length - this.maxPositions));
    let ids: Tensor;
    if (!this.useCache) {
      ids = idsTensor(contexts.map(window));
    } else if (this.cache !== null && this.cache.length > 0 && this.cache.length < this.maxPositions) {
      ids = idsTensor(contexts.map((r) => [r[r.length - 1] as number])); // [B, 1]: the newest token
    } else {
      this.cache = this.model.newCache(); // prefill, or restart past n_positions
      ids = idsTensor(contexts.map(window));
    }
    const cache = this.useCache ? this.cache ?? undefined : undefined;
    const { logits: output } = noGrad(() => this.model.forward(ids, cache ? { cache, lastOnly: true } : { lastOnly: true }));
    const V = output.shape[output.ndim - 1] as number;
    const flat = output.toTypedArray();
    const rows = ids.shape[0] as number;
    // lastOnly gives [B, 1, V]; a model that ignores it gives [B, T, V]: take the last position.
    const stride = flat.length / rows;
    const logits = Array.from({ length: rows }, (_, b) => Float32Array.from(flat.subarray((b + 1) * stride - V, (b + 1) * stride)));
    return { logits };
  }

  /** Reorders (and duplicates) the cached rows: row i becomes old row `from[i]` (beam search). */
  reorder(from: readonly number[]): void {
    this.cache?.reorder(from);
  }
}

/**
 * Puts the model in eval mode (dropout off) and returns the function that restores each submodule's
 * previous mode (a model may be training with some parts frozen in eval mode).
 */
export function enterEvalMode(model: Pick<CausalLanguageModel, "train" | "training" | "modules">): () => void {
  if (model.train === undefined) return () => {};
  const modules = model.modules?.() ?? [];
  const saved = modules.map((m) => m.training);
  const wasTraining = model.training;
  model.train(false);
  return () => {
    if (modules.length > 0) modules.forEach((m, i) => (m.training = saved[i] as boolean));
    else if (wasTraining) model.train?.(true);
  };
}

/** Runs `fn` with the model in eval mode, restoring its previous mode after. */
export function inEvalMode<T>(model: Pick<CausalLanguageModel, "train" | "training" | "modules">, fn: () => T): T {
  const restore = enterEvalMode(model);
  try {
    return fn();
  } finally {
    restore();
  }
}
