/**
 * Per-head attention statistics. Every statistic is a mean over query rows; rows are pooled across
 * inputs when several are given, so a corpus statistic weighs each row once. (Clark et al.'s notebook
 * averages each document's row mean instead; the two agree when the inputs have the same length.)
 *
 * Rows that see a single key (the first row of a causal map) are left out: with one key a row has no
 * choice to make, its weight is 1 by construction and would pull every head towards "attends to
 * position 0". Shape legend: Q = queries, K = keys, p(q) = q + (K − Q) the query's position on the key
 * axis (see `queryPosition`), n(q) = the number of keys row q sees (see `visibleKeys`).
 */
import { ValueError } from "../errors.js";
import { type AttentionMaps, headWeights, meanOverHeads, queryPosition, sampleList, visibleKeys } from "./attention-maps.js";
import { DEFAULT_SPECIAL_TOKENS, punctuationPositions, specialTokenPositions } from "./token-classes.js";

/** Options shared by the statistics. */
export interface StatisticsOptions {
  /** Window k of the locality share: the weight on keys j with |p(q) − j| ≤ k. Default 2. */
  readonly window?: number;
  /** Tokens counted as special (`[CLS]`, `[SEP]`, BOS …). Default {@link DEFAULT_SPECIAL_TOKENS}. */
  readonly specialTokens?: readonly string[];
  /**
   * Smoothing ε of the entropy: each visible weight becomes (1 − ε)·a + ε/n(q) before −Σ a log a, as in
   * Clark et al. (2019)'s analysis notebook (`0.9999 * attns + 0.0001 / n`, "smooth to avoid NaNs"),
   * there with n = K for BERT; here n(q) counts the keys the row can see, so masked keys get no mass.
   * Default 1e-4.
   */
  readonly entropySmoothing?: number;
}

/** Statistics of one head, means over the rows that see at least two keys. */
export interface HeadStatistics {
  /** Rows the means are over. */
  readonly rows: number;
  /**
   * Mean attention entropy in nats, H(q) = −Σ_j ã_qj log ã_qj over the visible keys, with ã the
   * smoothed weights (see {@link StatisticsOptions.entropySmoothing}). Clark, Khandelwal, Levy &
   * Manning 2019, "What Does BERT Look At?", §3 (entropy averaged over tokens).
   */
  readonly entropy: number;
  /** Mean entropy of uniform attention over the same rows, mean of log n(q) (log K without a mask). */
  readonly uniformEntropy: number;
  /** entropy / uniformEntropy, in [0, 1]: 1 is uniform, 0 is one key. NaN when uniformEntropy is 0. */
  readonly normalizedEntropy: number;
  /** Mean attention distance E|p(q) − j| = Σ_j a_qj |p(q) − j|, in positions. */
  readonly meanDistance: number;
  /** Window k used by {@link HeadStatistics.withinWindow}. */
  readonly window: number;
  /** Share of attention within ±k positions, Σ_{|p(q) − j| ≤ k} a_qj. */
  readonly withinWindow: number;
  /** Attention to the query's own position, a_{q,p(q)} (rows with p(q) among the keys). */
  readonly self: number;
  /** Attention to the previous position, a_{q,p(q)−1} (rows that have one). */
  readonly previous: number;
  /** Attention to the next position, a_{q,p(q)+1} (rows that see one; NaN under a causal mask). */
  readonly next: number;
  /** Attention to the first key (position 0), the "attention sink" of Xiao et al. 2023 (BOS / [CLS]). */
  readonly first: number;
  /** Attention to special-token keys (`[CLS]`, `[SEP]`, BOS …), summed over them. */
  readonly special: number;
  /** Attention to punctuation keys (see `isPunctuationToken`), summed over them. */
  readonly punctuation: number;
  /**
   * Attention to the union of the first key, the special tokens and punctuation, each key counted once:
   * the "no-op" targets of Clark et al. 2019 §3.2 ([SEP], [CLS], periods, commas) and the sink.
   */
  readonly delimiterOrSink: number;
  /**
   * Relative offset j − p(q) of the most attended key that is the arg-max most often, and the share of
   * rows whose arg-max is at that offset. Voita et al. 2019 ("Analyzing Multi-Head Self-Attention")
   * call a head positional when one offset wins ≥ 90% of the time.
   */
  readonly dominantOffset: number;
  /** Share of rows whose arg-max key sits at {@link HeadStatistics.dominantOffset}. */
  readonly dominantOffsetShare: number;
  /** Share of rows whose arg-max key is the previous position (offset −1). */
  readonly previousArgmaxShare: number;
}

function resolveWindow(options: StatisticsOptions): number {
  const window = options.window ?? 2;
  if (!Number.isInteger(window) || window < 0) throw new ValueError(`analysis: window must be an integer >= 0, got ${window}`);
  return window;
}

function resolveSmoothing(options: StatisticsOptions): number {
  const eps = options.entropySmoothing ?? 1e-4;
  if (!(eps >= 0 && eps < 1)) throw new ValueError(`analysis: entropySmoothing must be in [0, 1), got ${eps}`);
  return eps;
}

/**
 * Sums of every statistic over rows, with a row count per statistic (some rows have no previous or
 * next key). Feed it heads from any number of inputs, then read the means with `result()`.
 */
export class HeadStatisticsAccumulator {
  private readonly window: number;
  private readonly smoothing: number;
  private readonly specialTokens: readonly string[];
  private rows = 0;
  private entropy = 0;
  private uniform = 0;
  private distance = 0;
  private within = 0;
  private first = 0;
  private special = 0;
  private punctuation = 0;
  private delimiterOrSink = 0;
  private self = 0;
  private selfRows = 0;
  private previous = 0;
  private previousRows = 0;
  private next = 0;
  private nextRows = 0;
  private readonly argmaxOffsets = new Map<number, number>();
  private argmaxRows = 0;

  /** @param options window, special tokens and entropy smoothing, as in {@link StatisticsOptions}. */
  constructor(options: StatisticsOptions = {}) {
    this.window = resolveWindow(options);
    this.smoothing = resolveSmoothing(options);
    this.specialTokens = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  }

  /** Adds the rows of head `head` of layer `layer` of one input. */
  add(maps: AttentionMaps, layer: number, head: number): void {
    const w = headWeights(maps, layer, head);
    const { queries, keys, causal } = maps;
    const specials = specialTokenPositions(maps.keyTokens, this.specialTokens);
    const puncts = punctuationPositions(maps.keyTokens);
    const sinks = [...new Set([0, ...specials, ...puncts])];
    const eps = this.smoothing;
    for (let q = 0; q < queries; q++) {
      const n = visibleKeys(queries, keys, causal, q);
      if (n < 2) continue;
      const row = q * keys;
      const p = queryPosition(maps, q);
      this.rows++;
      let h = 0;
      let dist = 0;
      let within = 0;
      let best = 0;
      for (let j = 0; j < n; j++) {
        const a = w[row + j]!;
        const smoothed = (1 - eps) * a + eps / n;
        if (smoothed > 0) h -= smoothed * Math.log(smoothed);
        const d = Math.abs(p - j);
        dist += a * d;
        if (d <= this.window) within += a;
        if (a > w[row + best]!) best = j;
      }
      this.entropy += h;
      this.uniform += Math.log(n);
      this.distance += dist;
      this.within += within;
      this.first += w[row]!;
      for (const j of specials) if (j < n) this.special += w[row + j]!;
      for (const j of puncts) if (j < n) this.punctuation += w[row + j]!;
      for (const j of sinks) if (j < n) this.delimiterOrSink += w[row + j]!;
      if (p >= 0 && p < n) {
        this.self += w[row + p]!;
        this.selfRows++;
      }
      if (p - 1 >= 0 && p - 1 < n) {
        this.previous += w[row + p - 1]!;
        this.previousRows++;
      }
      if (p + 1 >= 0 && p + 1 < n) {
        this.next += w[row + p + 1]!;
        this.nextRows++;
      }
      const offset = best - p;
      this.argmaxOffsets.set(offset, (this.argmaxOffsets.get(offset) ?? 0) + 1);
      this.argmaxRows++;
    }
  }

  /** The means so far; NaN for a statistic no row had. */
  result(): HeadStatistics {
    const mean = (sum: number, count: number): number => (count > 0 ? sum / count : Number.NaN);
    let dominantOffset = Number.NaN;
    let dominantCount = 0;
    // Ties go to the offset nearest the query, then the earlier one, so the answer does not depend on
    // the order rows arrived in.
    for (const [offset, count] of this.argmaxOffsets) {
      const better = count > dominantCount ||
        (count === dominantCount && (Math.abs(offset) < Math.abs(dominantOffset) || (Math.abs(offset) === Math.abs(dominantOffset) && offset < dominantOffset)));
      if (better) {
        dominantOffset = offset;
        dominantCount = count;
      }
    }
    const entropy = mean(this.entropy, this.rows);
    const uniformEntropy = mean(this.uniform, this.rows);
    return {
      rows: this.rows,
      entropy,
      uniformEntropy,
      normalizedEntropy: uniformEntropy > 0 ? entropy / uniformEntropy : Number.NaN,
      meanDistance: mean(this.distance, this.rows),
      window: this.window,
      withinWindow: mean(this.within, this.rows),
      self: mean(this.self, this.selfRows),
      previous: mean(this.previous, this.previousRows),
      next: mean(this.next, this.nextRows),
      first: mean(this.first, this.rows),
      special: mean(this.special, this.rows),
      punctuation: mean(this.punctuation, this.rows),
      delimiterOrSink: mean(this.delimiterOrSink, this.rows),
      dominantOffset,
      dominantOffsetShare: mean(dominantCount, this.argmaxRows),
      previousArgmaxShare: mean(this.argmaxOffsets.get(-1) ?? 0, this.argmaxRows),
    };
  }
}

/**
 * All statistics of one head, pooled over the rows of every input given.
 * @param samples one or more inputs with the same layer and head counts.
 */
export function headStatistics(samples: AttentionMaps | readonly AttentionMaps[], layer: number, head: number, options: StatisticsOptions = {}): HeadStatistics {
  const acc = new HeadStatisticsAccumulator(options);
  for (const maps of sampleList(samples)) acc.add(maps, layer, head);
  return acc.result();
}

/**
 * Mean entropy of one head and that of uniform attention over the same visible keys (nats); see
 * {@link HeadStatistics.entropy}. Clark et al. 2019, "What Does BERT Look At?", §3.
 */
export function attentionEntropy(maps: AttentionMaps, layer: number, head: number, options: StatisticsOptions = {}): { entropy: number; uniformEntropy: number } {
  const s = headStatistics(maps, layer, head, options);
  return { entropy: s.entropy, uniformEntropy: s.uniformEntropy };
}

/** Locality of one head: mean distance E|p(q) − j| and the share of attention within ±`window`. */
export function attentionLocality(maps: AttentionMaps, layer: number, head: number, options: StatisticsOptions = {}): { meanDistance: number; withinWindow: number; window: number } {
  const s = headStatistics(maps, layer, head, options);
  return { meanDistance: s.meanDistance, withinWindow: s.withinWindow, window: s.window };
}

/** Mean attention to the query's own, previous and next position (Clark et al. 2019, §3.1). */
export function relativePositionAttention(maps: AttentionMaps, layer: number, head: number): { self: number; previous: number; next: number } {
  const s = headStatistics(maps, layer, head);
  return { self: s.self, previous: s.previous, next: s.next };
}

/**
 * Mean attention that one head puts on a given set of key positions, summed over them per row: e.g.
 * `[0]` for BOS or `[CLS]`, the `[SEP]` positions for BERT (Clark et al. 2019, §3.2).
 * @throws ValueError for a position outside [0, K).
 */
export function attentionToPositions(maps: AttentionMaps, layer: number, head: number, positions: readonly number[]): number {
  const w = headWeights(maps, layer, head);
  for (const j of positions) {
    if (!Number.isInteger(j) || j < 0 || j >= maps.keys) throw new ValueError(`attentionToPositions: position ${j} is not in [0, ${maps.keys})`);
  }
  const unique = [...new Set(positions)];
  let sum = 0;
  let rows = 0;
  for (let q = 0; q < maps.queries; q++) {
    const n = visibleKeys(maps.queries, maps.keys, maps.causal, q);
    if (n < 2) continue;
    rows++;
    for (const j of unique) if (j < n) sum += w[q * maps.keys + j]!;
  }
  return rows > 0 ? sum / rows : Number.NaN;
}

/** Mean attention one head puts on punctuation keys (see `isPunctuationToken`). */
export function attentionToPunctuation(maps: AttentionMaps, layer: number, head: number): number {
  return attentionToPositions(maps, layer, head, punctuationPositions(maps.keyTokens));
}

/** One query → key connection of a head. */
export interface KeyConnection {
  /** Which input of a sample it comes from (0 for a single input). */
  readonly input: number;
  /** Query row. */
  readonly query: number;
  /** Key column. */
  readonly key: number;
  /** Query token. */
  readonly queryToken: string;
  /** Key token. */
  readonly keyToken: string;
  /** The attention weight a_qk. */
  readonly weight: number;
}

/** Orders connections by weight, largest first; ties by input, query, key so results are stable. */
export function compareConnections(a: KeyConnection, b: KeyConnection): number {
  return b.weight - a.weight || a.input - b.input || a.query - b.query || a.key - b.key;
}

/**
 * The `k` strongest query → key weights of one head (or of the layer's mean over heads when `head` is
 * `"mean"`), largest first, over the rows that see at least two keys.
 */
export function topKeyConnections(maps: AttentionMaps, layer: number, head: number | "mean", k: number, input = 0): KeyConnection[] {
  if (!Number.isInteger(k) || k < 0) throw new ValueError(`topKeyConnections: k must be an integer >= 0, got ${k}`);
  const w: ArrayLike<number> = head === "mean" ? meanOverHeads(maps, layer) : headWeights(maps, layer, head);
  // Keep the best k seen so far in order; a weight below the current k-th is dropped at once, so a long
  // input costs one pass rather than a sort of all Q·K pairs.
  const best: KeyConnection[] = [];
  for (let q = 0; q < maps.queries && k > 0; q++) {
    const n = visibleKeys(maps.queries, maps.keys, maps.causal, q);
    if (n < 2) continue;
    for (let j = 0; j < n; j++) {
      const weight = w[q * maps.keys + j]!;
      if (best.length === k && weight <= best[k - 1]!.weight) continue;
      const c: KeyConnection = { input, query: q, key: j, queryToken: maps.queryTokens[q]!, keyToken: maps.keyTokens[j]!, weight };
      let at = best.length;
      while (at > 0 && compareConnections(c, best[at - 1]!) < 0) at--;
      best.splice(at, 0, c);
      if (best.length > k) best.pop();
    }
  }
  return best;
}
