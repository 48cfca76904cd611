/**
 * A prefix trie over UTF-16 code units, for finding every vocabulary piece that starts at a position
 * of a string (the "common prefix search" of SentencePiece's lattice construction).
 *
 * Edges live in one open-addressing hash table over typed arrays (parent node, code unit) → child,
 * with the root's children in a direct 65,536-entry array: a seed vocabulary of the Unigram trainer
 * has up to a million pieces, where a Map per node would cost far more memory, and encoding walks
 * the trie once per character, where a Map lookup per step would cost more than the rest of Viterbi.
 */
export class PieceTrie {
  /** rootChild[unit] = the child of the root for `unit`, or 0 (the root is never a child). */
  private readonly rootChild = new Int32Array(65536);
  /** Hash slots: the parent node (-1 when empty), the code unit and the child node. */
  private slotParent: Int32Array;
  private slotUnit: Uint16Array;
  private slotChild: Int32Array;
  private slotsUsed = 0;
  /** value[node] = the piece id that ends at this node, or -1. */
  private value: Int32Array = new Int32Array(64).fill(-1);
  private nodeCount = 1;

  constructor(pieces: Iterable<[string, number]> = []) {
    this.slotParent = new Int32Array(1024).fill(-1);
    this.slotUnit = new Uint16Array(1024);
    this.slotChild = new Int32Array(1024);
    for (const [piece, id] of pieces) this.insert(piece, id);
  }

  /** The slot where edge (node, unit) is or would go. */
  private slot(node: number, unit: number): number {
    const mask = this.slotParent.length - 1;
    let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(unit + 1, 0x85ebca6b);
    h = (h ^ (h >>> 15)) & mask;
    const parents = this.slotParent;
    const units = this.slotUnit;
    while (parents[h] !== -1 && (parents[h] !== node || units[h] !== unit)) h = (h + 1) & mask;
    return h;
  }

  /** The child of `node` along code unit `unit`, or -1. */
  child(node: number, unit: number): number {
    if (node === 0) {
      const c = this.rootChild[unit]!;
      return c === 0 ? -1 : c;
    }
    const h = this.slot(node, unit);
    return this.slotParent[h] === -1 ? -1 : this.slotChild[h]!;
  }

  /** The piece id ending at `node`, or -1. */
  valueAt(node: number): number {
    return this.value[node]!;
  }

  private grow(): void {
    const oldParent = this.slotParent;
    const oldUnit = this.slotUnit;
    const oldChild = this.slotChild;
    const size = oldParent.length * 2;
    this.slotParent = new Int32Array(size).fill(-1);
    this.slotUnit = new Uint16Array(size);
    this.slotChild = new Int32Array(size);
    for (let i = 0; i < oldParent.length; i++) {
      if (oldParent[i] === -1) continue;
      const h = this.slot(oldParent[i]!, oldUnit[i]!);
      this.slotParent[h] = oldParent[i]!;
      this.slotUnit[h] = oldUnit[i]!;
      this.slotChild[h] = oldChild[i]!;
    }
  }

  private newNode(): number {
    const node = this.nodeCount++;
    if (node >= this.value.length) {
      const grown = new Int32Array(this.value.length * 2).fill(-1);
      grown.set(this.value);
      this.value = grown;
    }
    return node;
  }

  /** Number of nodes, the root included; nodes are numbered 0, 1, … in order of creation. */
  get size(): number {
    return this.nodeCount;
  }

  /** The child of `node` along `unit`, created (numbered `size`) if it is not there yet. */
  childOrAdd(node: number, unit: number): number {
    if (node === 0) {
      let next = this.rootChild[unit]!;
      if (next === 0) {
        next = this.newNode();
        this.rootChild[unit] = next;
      }
      return next;
    }
    // Keep the table at most half full, so probes stay short.
    if (2 * (this.slotsUsed + 1) > this.slotParent.length) this.grow();
    const h = this.slot(node, unit);
    if (this.slotParent[h] !== -1) return this.slotChild[h]!;
    const next = this.newNode();
    this.slotParent[h] = node;
    this.slotUnit[h] = unit;
    this.slotChild[h] = next;
    this.slotsUsed++;
    return next;
  }

  /** Adds `piece` with `id`; a piece inserted twice keeps its first id, as a Map built in order would. */
  insert(piece: string, id: number): void {
    let node = 0;
    for (let i = 0; i < piece.length; i++) node = this.childOrAdd(node, piece.charCodeAt(i));
    if (piece.length > 0 && this.value[node] === -1) this.value[node] = id;
  }

  /**
   * Calls `found(id, end)` for every piece that is a prefix of `text.slice(start)`, shortest first;
   * `end` is the UTF-16 index just after the piece.
   */
  forEachPrefix(text: string, start: number, found: (id: number, end: number) => void): void {
    let node = 0;
    for (let i = start; i < text.length; i++) {
      node = this.child(node, text.charCodeAt(i));
      if (node === -1) return;
      const id = this.value[node]!;
      if (id >= 0) found(id, i + 1);
    }
  }
}
