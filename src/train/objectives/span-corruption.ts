/**
 * T5's span corruption (Raffel et al. 2020, §3.1.4 and §3.3.4; `random_spans_noise_mask`,
 * `noise_span_to_unique_sentinel` and `random_spans_helper` in the t5 library's preprocessors):
 *   num_noise  = round(L · noise_density), clamped to [1, L − 1]
 *   num_spans  = max(1, round(num_noise / mean_noise_span_length))
 * the noise tokens and the non-noise tokens are each cut into num_spans non-empty spans by a uniformly
 * random segmentation, and the spans alternate non-noise, noise, non-noise, … (so the sequence starts
 * with kept text and ends with a noise span). Inputs keep the non-noise tokens and put one sentinel in
 * place of each noise span; targets are the mirror image: the same sentinel before each noise span's
 * tokens. Both end with EOS. Sentinel k is `<extra_id_k>`, taken from the top of the vocabulary down
 * (k = 0 is the highest id), as T5's vocabularies place them.
 *
 * For example, L = 10 gives 2 noise tokens in 1 span, which (spans alternating from non-noise) is the
 * last one; with 40 tokens, 6 noise tokens fall in 2 spans placed at random:
 *   tokens   A B C D E F G H I J
 *   inputs   A B C D E F G H <X0> </s>
 *   targets  <X0> I J </s>
 *
 * Rounding is half to even (numpy's and TensorFlow's `round`, and Python's), so L = 10 gives
 * round(1.5) = 2 noise tokens and L = 30 gives round(4.5) = 4.
 */
import { ValueError } from "../../errors.js";
import { type Generator, defaultGenerator } from "../../tensor/rng.js";

/** Options of span corruption; defaults are T5's. */
export interface SpanCorruptionOptions {
  /** Share of tokens that become noise (default 0.15). */
  noiseDensity?: number;
  /** Mean length of a noise span (default 3). */
  meanNoiseSpanLength?: number;
}

/** T5's defaults: 15% noise in spans of mean length 3. */
export const defaultSpanCorruptionOptions: Required<SpanCorruptionOptions> = { noiseDensity: 0.15, meanNoiseSpanLength: 3 };

/** Where span corruption takes its sentinels and its end token. */
export interface SentinelSource {
  /** Id of `<extra_id_k>`, k = 0, 1, …; index k is sentinel k (T5: vocabSize − 1 − k). */
  sentinelIds: readonly number[];
  /** Appended to inputs and targets (T5: `</s>`, id 1). */
  eosId: number;
}

/** Sentinel ids at the top of a vocabulary of `vocabSize` ids: `<extra_id_k>` = vocabSize − 1 − k, `count` of them. */
export function topOfVocabularySentinels(vocabSize: number, count = 100): number[] {
  if (!Number.isInteger(vocabSize) || !Number.isInteger(count) || count < 1 || count > vocabSize) {
    throw new ValueError(`topOfVocabularySentinels: need 1 ≤ count ≤ vocabSize (integers), got count ${count}, vocabSize ${vocabSize}`);
  }
  return Array.from({ length: count }, (_, k) => vocabSize - 1 - k);
}

/** x rounded to the nearest integer, halves to the even one (numpy/TensorFlow/Python `round`). */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** How many noise tokens and noise spans a sequence of `length` tokens gets. */
export interface NoiseCounts {
  numNoiseTokens: number;
  numNonNoiseTokens: number;
  numNoiseSpans: number;
}

function resolve(options: SpanCorruptionOptions): Required<SpanCorruptionOptions> {
  const o = { ...defaultSpanCorruptionOptions, ...options };
  if (!(o.noiseDensity > 0 && o.noiseDensity < 1)) throw new ValueError(`span corruption: noiseDensity must be in (0, 1), got ${o.noiseDensity}`);
  if (!(o.meanNoiseSpanLength >= 1 && Number.isFinite(o.meanNoiseSpanLength))) {
    throw new ValueError(`span corruption: meanNoiseSpanLength must be a finite number ≥ 1, got ${o.meanNoiseSpanLength}`);
  }
  return o;
}

/**
 * The noise counts of T5's `random_spans_noise_mask` for a sequence of `length` ≥ 2 tokens. T5 computes
 * a sequence of length 1 as if it were 2 and drops the (noise) second position, leaving no noise: see
 * {@link randomSpansNoiseMask}. The span count is also capped by the noise and non-noise token counts
 * (each span holds at least one token); with T5's density 0.15 the cap never binds.
 */
export function noiseCounts(length: number, options: SpanCorruptionOptions = {}): NoiseCounts {
  const o = resolve(options);
  if (!Number.isInteger(length) || length < 2) throw new ValueError(`span corruption: noiseCounts needs an integer length ≥ 2, got ${length}`);
  const numNoiseTokens = Math.min(Math.max(roundHalfToEven(length * o.noiseDensity), 1), length - 1);
  const numNonNoiseTokens = length - numNoiseTokens;
  const spans = Math.max(roundHalfToEven(numNoiseTokens / o.meanNoiseSpanLength), 1);
  return { numNoiseTokens, numNonNoiseTokens, numNoiseSpans: Math.min(spans, numNoiseTokens, numNonNoiseTokens) };
}

/**
 * `numItems` items cut into `numSegments` non-empty segments, uniformly over all such cuts (T5's
 * `_random_segmentation`: a shuffled 0/1 vector of numSegments − 1 boundaries among numItems − 1
 * gaps). Returns the segment lengths.
 */
export function randomSegmentation(numItems: number, numSegments: number, rng: Generator = defaultGenerator): number[] {
  if (!(Number.isInteger(numSegments) && numSegments >= 1 && Number.isInteger(numItems) && numItems >= numSegments)) {
    throw new ValueError(`randomSegmentation: need integers 1 ≤ numSegments ≤ numItems, got ${numSegments} segments of ${numItems} items`);
  }
  // Partial Fisher–Yates: the first numSegments − 1 of a shuffle of the gaps 1 … numItems − 1.
  const gaps = Array.from({ length: numItems - 1 }, (_, i) => i + 1);
  for (let i = 0; i < numSegments - 1; i++) {
    const j = i + rng.randint(0, gaps.length - i);
    [gaps[i], gaps[j]] = [gaps[j] as number, gaps[i] as number];
  }
  const cuts = gaps.slice(0, numSegments - 1).sort((a, b) => a - b);
  const lengths: number[] = [];
  let start = 0;
  for (const cut of [...cuts, numItems]) {
    lengths.push(cut - start);
    start = cut;
  }
  return lengths;
}

/**
 * T5's noise mask over `length` tokens (true = noise): spans alternating non-noise, noise, …, with
 * lengths from {@link randomSegmentation}. A length-1 sequence gets no noise (T5 masks length 2 and
 * keeps the first position).
 */
export function randomSpansNoiseMask(length: number, options: SpanCorruptionOptions = {}, rng: Generator = defaultGenerator): boolean[] {
  if (!Number.isInteger(length) || length < 1) throw new ValueError(`span corruption: the sequence must hold at least one token, got length ${length}`);
  const padded = Math.max(length, 2);
  const { numNoiseTokens, numNonNoiseTokens, numNoiseSpans } = noiseCounts(padded, options);
  const noiseLengths = randomSegmentation(numNoiseTokens, numNoiseSpans, rng);
  const keptLengths = randomSegmentation(numNonNoiseTokens, numNoiseSpans, rng);
  const mask: boolean[] = [];
  for (let s = 0; s < numNoiseSpans; s++) {
    for (let i = 0; i < (keptLengths[s] as number); i++) mask.push(false);
    for (let i = 0; i < (noiseLengths[s] as number); i++) mask.push(true);
  }
  return mask.slice(0, length);
}

/**
 * Tokens with each maximal run of `selected` positions replaced by one sentinel, sentinels in order
 * (T5's `noise_span_to_unique_sentinel`).
 */
function replaceSpans(tokens: readonly number[], selected: readonly boolean[], sentinelIds: readonly number[]): number[] {
  const out: number[] = [];
  let span = 0;
  tokens.forEach((t, i) => {
    if (!selected[i]) {
      out.push(t);
    } else if (i === 0 || !selected[i - 1]) {
      const id = sentinelIds[span];
      if (id === undefined) throw new ValueError(`span corruption: ${span + 1} spans need more than the ${sentinelIds.length} sentinel ids given`);
      out.push(id);
      span++;
    }
  });
  return out;
}

/** A corrupted example: encoder inputs and decoder targets, token ids, each ending with EOS. */
export interface SpanCorruptionExample {
  inputs: number[];
  targets: number[];
  /** The noise mask that produced them (true = the token went to the targets). */
  noiseMask: boolean[];
}

/** Span corruption of `tokens` with a given noise mask (deterministic; see the file comment). */
export function corruptWithMask(tokens: readonly number[], noiseMask: readonly boolean[], sentinels: SentinelSource): SpanCorruptionExample {
  if (noiseMask.length !== tokens.length) throw new ValueError(`span corruption: the mask has ${noiseMask.length} entries for ${tokens.length} tokens`);
  const kept = noiseMask.map((m) => !m);
  return {
    inputs: [...replaceSpans(tokens, noiseMask, sentinels.sentinelIds), sentinels.eosId],
    targets: [...replaceSpans(tokens, kept, sentinels.sentinelIds), sentinels.eosId],
    noiseMask: [...noiseMask],
  };
}

/**
 * T5's span corruption of one token sequence: a random noise mask ({@link randomSpansNoiseMask}) and
 * the inputs/targets it gives. Seeded through `rng`.
 */
export function spanCorrupt(tokens: readonly number[], sentinels: SentinelSource, options: SpanCorruptionOptions = {}, rng: Generator = defaultGenerator): SpanCorruptionExample {
  for (const t of tokens) {
    if (t === sentinels.eosId || sentinels.sentinelIds.includes(t)) {
      throw new ValueError(`span corruption: token ${t} is the EOS or a sentinel id; the text must not contain them, or the targets would be ambiguous`);
    }
  }
  return corruptWithMask(tokens, randomSpansNoiseMask(tokens.length, options, rng), sentinels);
}

/**
 * Undoes span corruption: the original tokens from inputs and targets (both ending with EOS), by putting
 * each sentinel's target span where the inputs hold that sentinel.
 */
export function reconstructFromSpans(inputs: readonly number[], targets: readonly number[], sentinels: SentinelSource): number[] {
  const index = new Map(sentinels.sentinelIds.map((id, k) => [id, k]));
  const strip = (ids: readonly number[], what: string): readonly number[] => {
    if (ids.at(-1) !== sentinels.eosId) throw new ValueError(`reconstructFromSpans: the ${what} do not end with EOS ${sentinels.eosId}`);
    return ids.slice(0, -1);
  };
  // Target span k: the tokens after sentinel k up to the next sentinel.
  const spans = new Map<number, number[]>();
  let current: number[] | null = null;
  for (const t of strip(targets, "targets")) {
    const k = index.get(t);
    if (k !== undefined) spans.set(k, (current = []));
    else if (current === null) throw new ValueError("reconstructFromSpans: the targets do not start with a sentinel");
    else current.push(t);
  }
  const out: number[] = [];
  for (const t of strip(inputs, "inputs")) {
    const k = index.get(t);
    if (k === undefined) out.push(t);
    else out.push(...(spans.get(k) ?? []));
  }
  return out;
}

/** Lengths of a corrupted example: encoder inputs and decoder targets (EOS included). */
export interface CorruptedLengths {
  inputsLength: number;
  targetsLength: number;
}

/**
 * Lengths span corruption gives a sequence of `tokensLength` ≥ 1 tokens (what {@link spanCorrupt}
 * produces): non-noise tokens + one sentinel per span + EOS, and noise tokens + one sentinel per span + EOS.
 */
export function corruptedLengths(tokensLength: number, options: SpanCorruptionOptions = {}): CorruptedLengths {
  if (tokensLength === 1) return { inputsLength: 2, targetsLength: 2 }; // no noise: [t, EOS] and [<X0>, EOS]
  const { numNoiseTokens, numNonNoiseTokens, numNoiseSpans } = noiseCounts(tokensLength, options);
  return { inputsLength: numNonNoiseTokens + numNoiseSpans + 1, targetsLength: numNoiseTokens + numNoiseSpans + 1 };
}

/**
 * The lengths as T5's `random_spans_helper` computes them: the same formula without the clamps of the
 * mask (num_noise ≥ 1, num_spans ≥ 1), which only bind below 10 tokens at density 0.15.
 */
function helperLengths(tokensLength: number, o: Required<SpanCorruptionOptions>): CorruptedLengths {
  const numNoise = roundHalfToEven(tokensLength * o.noiseDensity);
  const numSpans = roundHalfToEven(numNoise / o.meanNoiseSpanLength);
  return { inputsLength: tokensLength - numNoise + numSpans + 1, targetsLength: numNoise + numSpans + 1 };
}

/** What {@link randomSpansHelper} returns: how many raw tokens to cut, and the targets length they give. */
export interface SpanLengthPlan {
  /** Raw tokens per example before corruption. */
  tokensLength: number;
  /** Decoder targets length (EOS included) those tokens give. */
  targetsLength: number;
}

/**
 * T5's `random_spans_helper`: the longest raw `tokensLength` whose corrupted inputs fit in
 * `inputsLength` (EOS included), and the targets length it gives. With density 0.5, T5 shortens the
 * tokens by one when the targets would be longer than the inputs (its "minor hack"); kept here.
 */
export function randomSpansHelper(inputsLength: number, options: SpanCorruptionOptions = {}): SpanLengthPlan {
  const o = resolve(options);
  if (!Number.isInteger(inputsLength) || inputsLength < 2) throw new ValueError(`randomSpansHelper: inputsLength must be an integer ≥ 2, got ${inputsLength}`);
  let tokensLength = inputsLength - 1;
  while (helperLengths(tokensLength + 1, o).inputsLength <= inputsLength) tokensLength++;
  let { targetsLength } = helperLengths(tokensLength, o);
  if (o.noiseDensity === 0.5 && targetsLength > inputsLength) {
    tokensLength--;
    targetsLength--;
  }
  return { tokensLength, targetsLength };
}

/**
 * The other direction: the longest raw `tokensLength` whose corrupted targets fit in `targetsLength`
 * (EOS included), and the inputs length it gives (for a decoder length chosen first).
 */
export function tokensLengthForTargets(targetsLength: number, options: SpanCorruptionOptions = {}): { tokensLength: number; inputsLength: number } {
  const o = resolve(options);
  if (!Number.isInteger(targetsLength) || targetsLength < 2) throw new ValueError(`tokensLengthForTargets: targetsLength must be an integer ≥ 2, got ${targetsLength}`);
  // Targets never shrink as tokens are added, and grow without bound: search upward from 1.
  let tokensLength = 1;
  while (corruptedLengths(tokensLength + 1, o).targetsLength <= targetsLength) tokensLength++;
  return { tokensLength, inputsLength: corruptedLengths(tokensLength, o).inputsLength };
}
