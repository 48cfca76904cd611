/**
 * The segmentation lattice of one string under a Unigram language model (Kudo 2018, "Subword
 * Regularization", §3): a node for every vocabulary piece occurring at every position, scored by the
 * piece's log-probability. Positions are UTF-16 indices at code point boundaries.
 *
 * Node 0 is BOS (ends at 0) and node 1 is EOS (starts at the end); every other node is a piece, or an
 * unknown-character node (one code point, scored `unkScore`) where no single-character piece exists —
 * the same construction as SentencePiece's `PopulateNodes`.
 */
import type { PieceTrie } from "./trie.js";
import type { Random } from "./random.js";

const BOS = 0;
const EOS = 1;
const MAX_AGENDA = 100_000;
const MIN_AGENDA = 1_000;

/** log(exp(a) + exp(b)) without overflow. */
export function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

export interface LatticePath {
  /** Node indices from left to right, BOS and EOS excluded. */
  nodes: number[];
  /** Sum of the nodes' scores (the log-probability of the segmentation). */
  score: number;
}

export class Lattice {
  readonly start: number[] = [0, 0];
  readonly end: number[] = [0, 0];
  /** Piece id of each node; `unkId` (or -1 when the model has none) for unknown-character nodes. */
  readonly id: number[] = [-1, -1];
  readonly score: number[] = [0, 0];
  /** Nodes starting at each position (EOS starts at `length`). */
  readonly beginNodes: number[][];
  /** Nodes ending at each position (BOS ends at 0). */
  readonly endNodes: number[][];

  constructor(
    readonly text: string,
    trie: PieceTrie,
    scores: ArrayLike<number>,
    readonly unkId: number,
    unkScore: number,
  ) {
    const length = text.length;
    this.start[EOS] = length;
    this.end[EOS] = length;
    this.beginNodes = Array.from({ length: length + 1 }, () => []);
    this.endNodes = Array.from({ length: length + 1 }, () => []);
    this.endNodes[0]!.push(BOS);
    this.beginNodes[length]!.push(EOS);
    for (let pos = 0; pos < length; ) {
      const charEnd = pos + codePointLength(text, pos);
      let hasSingle = false;
      trie.forEachPrefix(text, pos, (id, end) => {
        this.add(pos, end, id, scores[id]!);
        if (end === charEnd) hasSingle = true;
      });
      if (!hasSingle) this.add(pos, charEnd, unkId, unkScore);
      pos = charEnd;
    }
  }

  get length(): number {
    return this.text.length;
  }

  get nodeCount(): number {
    return this.id.length;
  }

  piece(node: number): string {
    return this.text.slice(this.start[node], this.end[node]);
  }

  private add(start: number, end: number, id: number, score: number): void {
    const node = this.id.length;
    this.start.push(start);
    this.end.push(end);
    this.id.push(id);
    this.score.push(score);
    this.beginNodes[start]!.push(node);
    this.endNodes[end]!.push(node);
  }

  /**
   * best[node] = score of the best path from BOS through `node` (inclusive), and the predecessor on
   * that path. Ties keep the first predecessor, as SentencePiece's Viterbi does.
   */
  private forwardBest(): { best: Float64Array; prev: Int32Array } {
    const n = this.nodeCount;
    const best = new Float64Array(n).fill(-Infinity);
    const prev = new Int32Array(n).fill(-1);
    best[BOS] = 0;
    for (let pos = 0; pos <= this.length; pos++) {
      const left = this.endNodes[pos]!;
      if (left.length === 0) continue;
      for (const r of this.beginNodes[pos]!) {
        let bestScore = -Infinity;
        let bestNode = -1;
        for (const l of left) {
          if (bestNode === -1 || best[l]! > bestScore) {
            bestScore = best[l]!;
            bestNode = l;
          }
        }
        best[r] = bestScore + this.score[r]!;
        prev[r] = bestNode;
      }
    }
    return { best, prev };
  }

  /** The most probable segmentation. */
  viterbi(): LatticePath {
    const { best, prev } = this.forwardBest();
    const nodes: number[] = [];
    for (let node = prev[EOS]!; node > BOS; node = prev[node]!) nodes.push(node);
    nodes.reverse();
    return { nodes, score: best[EOS]! };
  }

  /**
   * The `n` most probable segmentations, best first: A* search from EOS back to BOS whose heuristic is
   * the exact forward Viterbi score, so paths come out in order of score (SentencePiece's
   * `Lattice::NBest`).
   */
  nbest(n: number): LatticePath[] {
    if (n <= 0) return [];
    if (n === 1) return [this.viterbi()];
    const { best } = this.forwardBest();
    interface Hypothesis {
      node: number;
      next: Hypothesis | null;
      /** Score of the nodes from this one's successor to EOS. */
      gx: number;
      /** gx + best score from BOS through this node: the bound used to order the agenda. */
      fx: number;
    }
    const agenda = new MaxHeap<Hypothesis>((a, b) => a.fx - b.fx);
    agenda.push({ node: EOS, next: null, gx: 0, fx: best[EOS]! });
    const results: LatticePath[] = [];
    while (agenda.size > 0) {
      const top = agenda.pop()!;
      if (top.node === BOS) {
        const nodes: number[] = [];
        for (let h = top.next; h !== null && h.node !== EOS; h = h.next) nodes.push(h.node);
        results.push({ nodes, score: top.fx });
        if (results.length === n) break;
        continue;
      }
      const gx = top.gx + this.score[top.node]!;
      for (const l of this.endNodes[this.start[top.node]!]!) {
        if (best[l] === -Infinity) continue;
        agenda.push({ node: l, next: top, gx, fx: best[l]! + gx });
      }
      // Long strings with a large n can flood the agenda; keep its best part, as SentencePiece does.
      if (agenda.size > MAX_AGENDA) agenda.keepBest(Math.max(MIN_AGENDA, 10 * n));
    }
    return results;
  }

  /**
   * alpha[node] = log Σ over paths from BOS to the node's start of exp(θ·score) — the forward
   * log-marginal, excluding the node's own score; alpha[EOS] is log Z.
   */
  forward(theta = 1): Float64Array {
    const alpha = new Float64Array(this.nodeCount).fill(-Infinity);
    alpha[BOS] = 0;
    for (let pos = 0; pos <= this.length; pos++) {
      const left = this.endNodes[pos]!;
      if (left.length === 0) continue;
      let acc = -Infinity;
      for (const l of left) {
        acc = logSumExp(acc, l === BOS ? 0 : alpha[l]! + theta * this.score[l]!);
      }
      for (const r of this.beginNodes[pos]!) alpha[r] = acc;
    }
    return alpha;
  }

  /** beta[node] = log Σ over paths from the node's end to EOS of exp(θ·score), excluding the node. */
  backward(theta = 1): Float64Array {
    const beta = new Float64Array(this.nodeCount).fill(-Infinity);
    beta[EOS] = 0;
    for (let pos = this.length; pos >= 0; pos--) {
      const right = this.beginNodes[pos]!;
      if (right.length === 0) continue;
      let acc = -Infinity;
      for (const r of right) {
        acc = logSumExp(acc, r === EOS ? 0 : beta[r]! + theta * this.score[r]!);
      }
      for (const l of this.endNodes[pos]!) beta[l] = acc;
    }
    return beta;
  }

  /**
   * Adds `freq` × the posterior probability of each node to `expected[id]` (the E-step of EM) and
   * returns log Z, the log-likelihood of the string summed over all segmentations.
   */
  addMarginals(freq: number, expected: Float64Array): number {
    const alpha = this.forward();
    const beta = this.backward();
    const logZ = alpha[EOS]!;
    for (let node = 2; node < this.nodeCount; node++) {
      const id = this.id[node]!;
      if (id < 0) continue;
      expected[id]! += freq * Math.exp(alpha[node]! + this.score[node]! + beta[node]! - logZ);
    }
    return logZ;
  }

  /**
   * Draws one segmentation with probability ∝ exp(θ·score): forward filtering, backward sampling
   * (SentencePiece's `Lattice::Sample`).
   */
  sample(theta: number, random: Random): LatticePath {
    const alpha = this.forward(theta);
    const nodes: number[] = [];
    let score = 0;
    let node = EOS;
    while (true) {
      const candidates = this.endNodes[this.start[node]!]!;
      // Weights of the predecessors l of `node`: exp(alpha[l] + θ·score[l]), normalised by their sum.
      const logWeights = candidates.map((l) => (l === BOS ? 0 : alpha[l]! + theta * this.score[l]!));
      let total = -Infinity;
      for (const w of logWeights) total = logSumExp(total, w);
      let u = random.next();
      let chosen = candidates[candidates.length - 1]!;
      for (let k = 0; k < candidates.length; k++) {
        u -= Math.exp(logWeights[k]! - total);
        if (u < 0) {
          chosen = candidates[k]!;
          break;
        }
      }
      if (chosen === BOS) break;
      nodes.push(chosen);
      score += this.score[chosen]!;
      node = chosen;
    }
    nodes.reverse();
    return { nodes, score };
  }
}

export function codePointLength(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff && pos + 1 < text.length) {
    const d = text.charCodeAt(pos + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** A binary max-heap ordered by `compare` (positive when a ranks above b). */
class MaxHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i]!, items[parent]!) <= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** Drops all but the `k` highest items. */
  keepBest(k: number): void {
    const kept: T[] = [];
    while (kept.length < k && this.items.length > 0) kept.push(this.pop()!);
    this.items.length = 0;
    for (const item of kept) this.push(item);
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let largest = i;
        if (l < items.length && this.compare(items[l]!, items[largest]!) > 0) largest = l;
        if (r < items.length && this.compare(items[r]!, items[largest]!) > 0) largest = r;
        if (largest === i) break;
        [items[i], items[largest]] = [items[largest]!, items[i]!];
        i = largest;
      }
    }
    return top;
  }
}
