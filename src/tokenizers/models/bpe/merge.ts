/**
 * The BPE merge loop over one word (HF tokenizers `Word::merge_all`): repeatedly merge the adjacent
 * pair with the lowest rank, leftmost first. Symbols live in a doubly linked list over typed arrays;
 * candidate merges in a binary min-heap keyed by (rank, position), with stale entries skipped on pop.
 * Short words use a plain scan instead, which gives the same result and is faster below ~48 symbols.
 */

/** Merge table: pair key (left id · 2^21 + right id) → rank · 2^21 + merged id. */
export type MergeTable = Map<number, number>;

/** The merge of two adjacent symbols, packed as rank · 2^21 + merged id, or undefined. */
export type MergeLookup = (left: number, right: number) => number | undefined;

export function tableLookup(table: MergeTable): MergeLookup {
  return (a, b) => table.get(a * ID_LIMIT + b);
}

export const ID_LIMIT = 1 << 21;

export function pairKey(a: number, b: number): number {
  return a * ID_LIMIT + b;
}

/** Packs a merge's rank and result id into one table value. */
export function mergeValue(rank: number, newId: number): number {
  return rank * ID_LIMIT + newId;
}

const SCAN_LIMIT = 48;
/**
 * Heap entries pack rank · 2^31 + position into one double: ranks stay below 2^21 (ID_LIMIT) and
 * positions below 2^31 (longer than any JavaScript string), so the product stays under 2^52, exact.
 */
const POS_LIMIT = 2 ** 31;

/**
 * Merges `ids` in place and returns the merged ids, with `lens[i]` (the width of each symbol in
 * whatever unit the caller uses) summed alongside. `random`, when given, is BPE-dropout: each merge is
 * skipped with probability `dropout`, as in HF.
 */
export function mergeWord(
  ids: number[],
  lens: number[],
  merges: MergeLookup,
  dropout = 0,
  random?: () => number,
): { ids: number[]; lens: number[] } {
  const n = ids.length;
  if (n < 2) return { ids, lens };
  if (dropout <= 0 && n <= SCAN_LIMIT) return mergeByScan(ids, lens, merges);
  return mergeByHeap(ids, lens, merges, dropout, random);
}

function mergeByScan(ids: number[], lens: number[], merges: MergeLookup): { ids: number[]; lens: number[] } {
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const v = merges(ids[i]!, ids[i + 1]!);
      if (v !== undefined && v < best) {
        best = v;
        at = i;
      }
    }
    if (at < 0) return { ids, lens };
    ids[at] = best % ID_LIMIT;
    lens[at] = lens[at]! + lens[at + 1]!;
    ids.splice(at + 1, 1);
    lens.splice(at + 1, 1);
  }
}

/** A binary min-heap of numbers. */
class NumberHeap {
  private readonly data: number[] = [];
  get size(): number {
    return this.data.length;
  }
  push(x: number): void {
    const d = this.data;
    let i = d.length;
    d.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (d[p]! <= x) break;
      d[i] = d[p]!;
      i = p;
    }
    d[i] = x;
  }
  pop(): number {
    const d = this.data;
    const top = d[0]!;
    const last = d.pop()!;
    if (d.length > 0) {
      let i = 0;
      const n = d.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && d[r]! < d[l]! ? r : l;
        if (d[c]! >= last) break;
        d[i] = d[c]!;
        i = c;
      }
      d[i] = last;
    }
    return top;
  }
}

function mergeByHeap(
  ids: number[],
  lens: number[],
  merges: MergeLookup,
  dropout: number,
  random: (() => number) | undefined,
): { ids: number[]; lens: number[] } {
  const n = ids.length;
  if (n >= POS_LIMIT) throw new RangeError(`BPE: a word of ${n} symbols is longer than the ${POS_LIMIT} the merge queue supports`);
  const id = Int32Array.from(ids);
  const len = Int32Array.from(lens);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  // Heap entries: rank · 2^31 + position; the merged id is looked up again when popped.
  const heap = new NumberHeap();
  const rankOf = (v: number): number => Math.floor(v / ID_LIMIT);
  for (let i = 0; i + 1 < n; i++) {
    const v = merges(id[i]!, id[i + 1]!);
    if (v !== undefined) heap.push(rankOf(v) * POS_LIMIT + i);
  }
  const skipped: number[] = [];
  const rnd = random ?? Math.random;
  while (heap.size > 0) {
    const top = heap.pop();
    if (dropout > 0 && rnd() < dropout) {
      skipped.push(top);
      continue;
    }
    for (const s of skipped) heap.push(s);
    skipped.length = 0;
    const pos = top % POS_LIMIT;
    const rank = Math.floor(top / POS_LIMIT);
    if (len[pos] === 0) continue;
    const right = next[pos]!;
    if (right < 0) continue;
    const v = merges(id[pos]!, id[right]!);
    if (v === undefined || rankOf(v) !== rank) continue; // stale entry
    id[pos] = v % ID_LIMIT;
    len[pos] = len[pos]! + len[right]!;
    len[right] = 0;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    const before = prev[pos]!;
    if (before >= 0) {
      const w = merges(id[before]!, id[pos]!);
      if (w !== undefined) heap.push(rankOf(w) * POS_LIMIT + before);
    }
    if (after >= 0) {
      const w = merges(id[pos]!, id[after]!);
      if (w !== undefined) heap.push(rankOf(w) * POS_LIMIT + pos);
    }
  }
  const outIds: number[] = [];
  const outLens: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) {
    outIds.push(id[i]!);
    outLens.push(len[i]!);
  }
  return { ids: outIds, lens: outLens };
}
