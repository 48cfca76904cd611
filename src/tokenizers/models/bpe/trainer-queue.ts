/**
 * The priority queue of the BPE trainer: a binary max-heap of candidate merges.
 *
 * Order (Hugging Face tokenizers, `models/bpe/trainer.rs`, `impl Ord for Merge`): the larger count
 * first; on equal counts the *smaller* pair first, pairs compared as tuples of symbol ids — left id,
 * then right id. Two entries for the same pair with the same count are equal to HF (its heap then
 * pops whichever its push order left on top, and that order comes from a randomly seeded HashMap);
 * here the earlier-pushed entry wins, so training is deterministic.
 */

/** One candidate merge: the pair (left, right), its count when pushed, and the words it was seen in. */
export interface MergeCandidate {
  left: number;
  right: number;
  count: number;
  /** Indices of the words this entry will rewrite when it is popped (HF's `pos`). */
  words: number[];
  /** Push order, the last tie-break (see above). */
  seq: number;
}

/** True when `a` must be popped before `b`. */
function before(a: MergeCandidate, b: MergeCandidate): boolean {
  if (a.count !== b.count) return a.count > b.count;
  if (a.left !== b.left) return a.left < b.left;
  if (a.right !== b.right) return a.right < b.right;
  return a.seq < b.seq;
}

export class MergeQueue {
  private readonly heap: MergeCandidate[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(left: number, right: number, count: number, words: number[]): void {
    this.pushCandidate({ left, right, count, words, seq: 0 });
  }

  /** Re-inserts a popped candidate (with an updated count); it gets a fresh place in push order. */
  pushCandidate(c: MergeCandidate): void {
    c.seq = this.nextSeq++;
    const h = this.heap;
    let i = h.length;
    h.push(c);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as MergeCandidate;
      if (!before(c, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = c;
  }

  pop(): MergeCandidate | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && before(h[r] as MergeCandidate, h[l] as MergeCandidate)) child = r;
      const c = h[child] as MergeCandidate;
      if (!before(c, last)) break;
      h[i] = c;
      i = child;
    }
    h[i] = last;
    return top;
  }
}
