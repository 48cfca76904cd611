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
  let total = 0;
  let freqSum = 0;
  for (const [word, freq] of words) {
    total += freq * model.lattice(word).addMarginals(freq, expected);
    freqSum += freq;
  }
  return { expected, logLikelihood: freqSum > 0 ? total / freqSum : 0 };
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
  for (let i = 0; i < size; i++) {
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
    const lattice = model.lattice(word);
    for (const node of lattice.viterbi().nodes) {
      const id = lattice.id[node]!;
      if (id < 0) continue;
      freq[id]! += count;
      inverted[id]!.push(w);
    }
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
