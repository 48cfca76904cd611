/**
 * Decoding an encoder–decoder model (Seq2Seq, T5, the Transformer) through the one decoder-step interface: the
 * model encodes a source batch once and hands back its decoder step; greedy decoding, sampling and beam
 * search are the same code that decodes GPT.
 *
 * Shapes: src [B, S] int32 with B source lengths; V target vocabulary.
 */
import { noGrad } from "../autograd/grad-mode.js";
import { ValueError } from "../errors.js";
import { narrow } from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { inEvalMode } from "./causal-step.js";
import type { DecoderStep } from "./decoder-step.js";
import { type DecodeResult, decode } from "./generate.js";
import type { GenerateOptions } from "./options.js";

/** What decoding calls on an encoder–decoder model (Seq2Seq fits). */
export interface EncoderDecoderModel {
  /**
   * Encodes src [B, S] once; the decoder step over its B rows. `useCache` false asks a transformer
   * decoder to recompute every past position each step (the reference the cached path must equal); a
   * recurrent decoder, whose state is its only form, may ignore it.
   */
  decoderStep(src: Tensor, srcLengths: readonly number[], options?: { useCache?: boolean }): DecoderStep;
  /** The decoder start token, the end token (a stop id) and the target vocabulary size. */
  readonly decoding: { startId: number; endId: number; vocabSize: number };
  training?: boolean;
  train?(mode?: boolean): unknown;
  modules?(): readonly { training: boolean }[];
}

/**
 * Decodes every source row: per row, its hypotheses best first (one for greedy decoding and sampling,
 * up to numBeams for beam search), each with its tokens (ending with the end token when it was
 * produced), log-probability and source attention per step. Greedy/sampling run the batch as one;
 * beam search runs one source row at a time. Defaults: greedy (temperature 0), maxNewTokens 2·S + 10,
 * stop at the model's end token, no length normalisation for beams (lengthPenalty 0). `useCache`
 * (default true) is passed on to the model's decoder step.
 */
export function decodeSources(model: EncoderDecoderModel, src: Tensor, srcLengths: readonly number[], options: GenerateOptions = {}): DecodeResult[][] {
  const { startId, endId, vocabSize } = model.decoding;
  if (src.ndim !== 2 || srcLengths.length !== src.shape[0]) {
    throw new ValueError(`decodeSources: expected src [B, S] and B lengths, got [${src.shape.join(", ")}] and ${srcLengths.length}`);
  }
  const o: GenerateOptions = {
    temperature: 0,
    maxNewTokens: 2 * (src.shape[1] as number) + 10,
    stopIds: [endId],
    lengthPenalty: 0,
    earlyStopping: "never",
    ...options,
  };
  const stepOptions = { useCache: o.useCache ?? true };
  return inEvalMode(model, () => noGrad(() => {
    if ((o.numBeams ?? 1) <= 1) {
      return decode(model.decoderStep(src, srcLengths, stepOptions), srcLengths.map(() => [startId]), vocabSize, o).map((r) => [r]);
    }
    return srcLengths.map((length, row) => {
      const one = narrow(narrow(src, 0, row, 1), 1, 0, length); // [1, length]
      return decode(model.decoderStep(one, [length], stepOptions), [[startId]], vocabSize, o);
    });
  }));
}
