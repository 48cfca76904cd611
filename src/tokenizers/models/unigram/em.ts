/**
 * The EM steps of Unigram training, following SentencePiece's `unigram_model_trainer.cc`:
 * the E-step collects expected piece counts by forward–backward over each word's lattice; the M-step
 * turns them into log-probabilities with the Bayesian (Dirichlet-process) update
 * log p(x) = ψ(count(x)) − ψ(Σ counts), ψ the digamma function, which acts as a sparse prior and drops
 * pieces expected less than ½ time; pruning removes the pieces whose loss the likelihood feels least.
 */
import { Lattice } from "./lattice.js";
import { UNK_PENALTY } from "./model.js";
import { PieceTrie } from "./trie.js";

/** Pieces expected fewer times than this are dropped by the M-step (kExpectedFrequencyThreshold). */
const EXPECTED_FREQUENCY_THRESHOLD = 0.5;

/** The vocabulary being trained: pieces, log-probabilities, and the trie to find them. */
export class TrainerModel {
  readonly pieces: string[];
  readonly scores: Float64Array;
  readonly trie: PieceTrie;
  readonly minScore: number;

  constructor(pieces: ReadonlyArray<readonly [string, number]>) {
    this.pieces = pieces.map(([p]) => p);
    this.scores = Float64Array.from(pieces, ([, s]) => s);
    this.trie = new PieceTrie(this.pieces.map((p, i): [string, number] => [p, i]));
    let min = Infinity;
    for (const s of this.scores) min = Math.min(min, s);
    this.minScore = min;
  }

  get size(): number {
    return this.pieces.length;
  }

  entries(): [string, number][] {
    return this.pieces.map((p, i) => [p, this.scores[i]!]);
  }

  lattice(text: string): Lattice {
    return new Lattice(text, this.trie, this.scores, -1, this.minScore - UNK_PENALTY);
  }
}

/** ψ(x), by recurrence up to x ≥ 7 and then the asymptotic series (as SentencePiece computes it). */
export function digamma(x: number): number {
  let result = 0;
  for (; x < 7; x++) result -= 1 / x;
  x -= 0.5;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  result += Math.log(x) + xx2 / 24 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
  return result;
}

export interface EStepResult {
  /** Expected count of each piece. */
  expected: Float64Array;
  /** Mean log-likelihood per word occurrence, Σ freq·log Z / Σ freq (higher is better). */
  logLikelihood: number;
}

export function eStep(model: TrainerModel, words: ReadonlyArray<readonly [string, number]>): EStepResult {
  const expected = new Float64Array(model.size);
  const work = new MarginalsWork();
  let total = 0;
  let freqSum = 0;
  for (const [word, freq] of words) {
    total += freq * work.addMarginals(model, word, freq, expected);
    freqSum += freq;
  }
  return { expected, logLikelihood: freqSum > 0 ? total / freqSum : 0 };
}

/** log(exp(a) + exp(b)) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * `Lattice.addMarginals` without building a Lattice: the nodes go into flat typed arrays in order of
 * start, and since a node's forward score is that of its start position (and its backward score that
 * of its end), forward–backward runs over positions: α(end) ⊕= α(start)+score in order of start,
 * β(start) ⊕= score+β(end) in reverse. Buffers are reused across words.
 */
export class MarginalsWork {
  private nodeStart = new Int32Array(256);
  private nodeEnd = new Int32Array(256);
  private nodeId = new Int32Array(256);
  private nodeScore = new Float64Array(256);
  private alpha = new Float64Array(64);
  private beta = new Float64Array(64);
  /** Viterbi: the last node of the best path to each position. */
  private bestNode = new Int32Array(64);

  private grow(nodes: number): void {
    const size = Math.max(2 * this.nodeStart.length, nodes + 1);
    const start = new Int32Array(size);
    start.set(this.nodeStart);
    const end = new Int32Array(size);
    end.set(this.nodeEnd);
    const id = new Int32Array(size);
    id.set(this.nodeId);
    const score = new Float64Array(size);
    score.set(this.nodeScore);
    [this.nodeStart, this.nodeEnd, this.nodeId, this.nodeScore] = [start, end, id, score];
  }

  /**
   * Fills the node arrays with `word`'s lattice (BOS and EOS left out), in order of start and, for
   * one start, of end — the order in which `Lattice` creates them; returns the node count.
   */
  private buildNodes(model: TrainerModel, word: string): number {
    const length = word.length;
    const trie = model.trie;
    const scores = model.scores;
    const unkScore = model.minScore - UNK_PENALTY;
    let n = 0;
    for (let pos = 0; pos < length; ) {
      const c = word.charCodeAt(pos);
      const charEnd = c >= 0xd800 && c <= 0xdbff && pos + 1 < length && (word.charCodeAt(pos + 1) & 0xfc00) === 0xdc00 ? pos + 2 : pos + 1;
      let hasSingle = false;
      let node = 0;
      for (let i = pos; i < length; i++) {
        node = trie.child(node, word.charCodeAt(i));
        if (node === -1) break;
        const id = trie.valueAt(node);
        if (id < 0) continue;
        if (n === this.nodeStart.length) this.grow(n);
        this.nodeStart[n] = pos;
        this.nodeEnd[n] = i + 1;
        this.nodeId[n] = id;
        this.nodeScore[n++] = scores[id]!;
        if (i + 1 === charEnd) hasSingle = true;
      }
      if (!hasSingle) {
        if (n === this.nodeStart.length) this.grow(n);
        this.nodeStart[n] = pos;
        this.nodeEnd[n] = charEnd;
        this.nodeId[n] = -1;
        this.nodeScore[n++] = unkScore;
      }
      pos = charEnd;
    }
    if (this.alpha.length < length + 1) {
      this.alpha = new Float64Array(2 * (length + 1));
      this.beta = new Float64Array(2 * (length + 1));
      this.bestNode = new Int32Array(2 * (length + 1));
    }
    return n;
  }

  /**
   * Calls `found(id)` for each piece of `word`'s Viterbi segmentation, right to left, unknown
   * characters left out — `Lattice.viterbi` without building a Lattice. Since a node's best score is
   * that of its start position plus its own, the search runs over positions: in node order (by start),
   * best(end) = max(best(end), best(start) + score), a strict > keeping the first node on ties as
   * `Lattice.forwardBest` does (nodes ending at one position come in the same order in both).
   */
  viterbiIds(model: TrainerModel, word: string, found: (id: number) => void): void {
    const length = word.length;
    const n = this.buildNodes(model, word);
    const { alpha: best, bestNode, nodeStart, nodeEnd, nodeId, nodeScore } = this;
    best.fill(-Infinity, 0, length + 1);
    best[0] = 0;
    for (let k = 0; k < n; k++) {
      const end = nodeEnd[k]!;
      const candidate = best[nodeStart[k]!]! + nodeScore[k]!;
      if (candidate > best[end]!) {
        best[end] = candidate;
        bestNode[end] = k;
      }
    }
    for (let pos = length; pos > 0; ) {
      const k = bestNode[pos]!;
      const id = nodeId[k]!;
      if (id >= 0) found(id);
      pos = nodeStart[k]!;
    }
  }

  /**
   * The best segmentation of `piece` other than the piece as one node, for pruning: its ids (-1 for
   * an unknown character) and score, or null when there is none (a one-character piece). Returns
   * "tie" when some position's best is reached two ways with the same score, since then which of the
   * tied paths `Lattice.nbest` ranks second depends on its A* order; the caller asks the Lattice.
   */
  bestAlternative(model: TrainerModel, piece: string): { ids: number[]; score: number } | "tie" | null {
    const length = piece.length;
    const n = this.buildNodes(model, piece);
    const { alpha: best, bestNode, nodeStart, nodeEnd, nodeId, nodeScore } = this;
    best.fill(-Infinity, 0, length + 1);
    best[0] = 0;
    for (let k = 0; k < n; k++) {
      const start = nodeStart[k]!;
      const end = nodeEnd[k]!;
      if (start === 0 && end === length) continue; // the piece itself
      const candidate = best[start]! + nodeScore[k]!;
      if (candidate === best[end]!) return "tie";
      if (candidate > best[end]!) {
        best[end] = candidate;
        bestNode[end] = k;
      }
    }
    if (best[length] === -Infinity) return null;
    const ids: number[] = [];
    for (let pos = length; pos > 0; ) {
      const k = bestNode[pos]!;
      ids.push(nodeId[k]!);
      pos = nodeStart[k]!;
    }
    return { ids: ids.reverse(), score: best[length]! };
  }

  /** Adds `freq` × each piece's posterior count in `word` to `expected`; returns log Z. */
  addMarginals(model: TrainerModel, word: string, freq: number, expected: Float64Array): number {
    const length = word.length;
    const n = this.buildNodes(model, word);
    const { alpha, beta, nodeStart, nodeEnd, nodeId, nodeScore } = this;
    alpha.fill(-Infinity, 0, length + 1);
    beta.fill(-Infinity, 0, length + 1);
    alpha[0] = 0;
    beta[length] = 0;
    for (let k = 0; k < n; k++) alpha[nodeEnd[k]!] = logAdd(alpha[nodeEnd[k]!]!, alpha[nodeStart[k]!]! + nodeScore[k]!);
    for (let k = n - 1; k >= 0; k--) beta[nodeStart[k]!] = logAdd(beta[nodeStart[k]!]!, nodeScore[k]! + beta[nodeEnd[k]!]!);
    const logZ = alpha[length]!;
    for (let k = 0; k < n; k++) {
      const id = nodeId[k]!;
      if (id < 0) continue;
      expected[id]! += freq * Math.exp(alpha[nodeStart[k]!]! + nodeScore[k]! + beta[nodeEnd[k]!]! - logZ);
    }
    return logZ;
  }
}

export function mStep(model: TrainerModel, expected: Float64Array): [string, number][] {
  const kept: [string, number][] = [];
  let sum = 0;
  for (let i = 0; i < model.size; i++) {
    const freq = expected[i]!;
    if (freq < EXPECTED_FREQUENCY_THRESHOLD) continue;
    kept.push([model.pieces[i]!, freq]);
    sum += freq;
  }
  const logSum = digamma(sum);
  return kept.map(([piece, freq]) => [piece, digamma(freq) - logSum]);
}

/**
 * Keeps max(desiredSize, shrinkingFactor × size) pieces: those that no other segmentation can
 * replace, then the rest by how much the corpus likelihood would drop without them. The drop is
 * estimated by re-assigning a piece's Viterbi count to its second-best segmentation.
 */
export function prune(
  model: TrainerModel,
  words: ReadonlyArray<readonly [string, number]>,
  desiredSize: number,
  shrinkingFactor: number,
): [string, number][] {
  const size = model.size;
  const alwaysKeep = new Uint8Array(size).fill(1);
  const alternatives: number[][] = Array.from({ length: size }, () => []);
  const work = new MarginalsWork();
  for (let i = 0; i < size; i++) {
    // Flat search first; the Lattice's A* only where its order could matter (ties, near-equal scores).
    const alternative = work.bestAlternative(model, model.pieces[i]!);
    if (alternative === null) continue; // no other segmentation: always keep
    if (alternative !== "tie") {
      const own = model.scores[i]!;
      if (Math.abs(alternative.score - own) > 1e-9 * (1 + Math.abs(own))) {
        if (alternative.score > own) {
          alwaysKeep[i] = 0; // the piece is not even its own best segmentation
        } else if (alternative.ids.every((id) => id >= 0)) {
          alternatives[i] = alternative.ids;
        }
        continue;
      }
    }
    const lattice = model.lattice(model.pieces[i]!);
    const nbest = lattice.nbest(2);
    if (nbest.length === 1) continue; // no other segmentation: always keep
    if (nbest[0]!.nodes.length >= 2) {
      alwaysKeep[i] = 0; // the piece is not even its own best segmentation
    } else if (nbest[0]!.nodes.length === 1) {
      const ids = nbest[1]!.nodes.map((node) => lattice.id[node]!);
      // An alternative through an unknown character cannot take over the piece's count.
      if (ids.every((id) => id >= 0)) alternatives[i] = ids;
    }
  }
  // Viterbi counts of each piece, and in which words it appears.
  const freq = new Float64Array(size);
  const inverted: number[][] = Array.from({ length: size }, () => []);
  let vsum = 0;
  words.forEach(([word, count], w) => {
    vsum += count;
    work.viterbiIds(model, word, (id) => {
      freq[id]! += count;
      inverted[id]!.push(w);
    });
  });
  let sum = 0;
  for (const f of freq) sum += f;
  const logSum = Math.log(sum);
  const kept: [string, number][] = [];
  const candidates: [number, number][] = [];
  for (let i = 0; i < size; i++) {
    if (freq[i] === 0 || !alwaysKeep[i]) continue;
    if (alternatives[i]!.length === 0) {
      kept.push([model.pieces[i]!, model.scores[i]!]);
      continue;
    }
    let f = 0;
    for (const w of inverted[i]!) f += words[w]![1];
    f /= vsum;
    const logProbPiece = Math.log(freq[i]!) - logSum;
    // Without the piece its count moves to each of its k alternatives: the total grows by freq·(k − 1).
    const logSumAlt = Math.log(sum + freq[i]! * (alternatives[i]!.length - 1));
    let logProbAlt = 0;
    for (const n of alternatives[i]!) logProbAlt += Math.log(freq[n]! + freq[i]!) - logSumAlt;
    candidates.push([i, f * (logProbPiece - logProbAlt)]);
  }
  const prunedSize = Math.max(desiredSize, Math.floor(shrinkingFactor * size));
  candidates.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [i] of candidates) {
    if (kept.length >= prunedSize) break;
    kept.push([model.pieces[i]!, model.scores[i]!]);
  }
  return kept;
}
