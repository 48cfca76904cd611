/**
 * A prefix trie over UTF-16 code units, for finding every vocabulary piece that starts at a position
 * of a string (the "common prefix search" of SentencePiece's lattice construction).
 *
 * Children live in one Map keyed by `node * 65536 + codeUnit` instead of a Map per node: a seed
 * vocabulary of the Unigram trainer has up to a million pieces, and a Map per node would cost far more
 * memory than one shared numeric-keyed Map.
 */
export class PieceTrie {
  private readonly children = new Map<number, number>();
  /** value[node] = the piece id that ends at this node, or -1. */
  private value: Int32Array = new Int32Array(64).fill(-1);
  private nodeCount = 1;

  constructor(pieces: Iterable<[string, number]> = []) {
    for (const [piece, id] of pieces) this.insert(piece, id);
  }

  /** Adds `piece` with `id`; a piece inserted twice keeps its first id, as a Map built in order would. */
  insert(piece: string, id: number): void {
    let node = 0;
    for (let i = 0; i < piece.length; i++) {
      const key = node * 65536 + piece.charCodeAt(i);
      let next = this.children.get(key);
      if (next === undefined) {
        next = this.nodeCount++;
        if (next >= this.value.length) {
          const grown = new Int32Array(this.value.length * 2).fill(-1);
          grown.set(this.value);
          this.value = grown;
        }
        this.children.set(key, next);
      }
      node = next;
    }
    if (piece.length > 0 && this.value[node] === -1) this.value[node] = id;
  }

  /**
   * Calls `found(id, end)` for every piece that is a prefix of `text.slice(start)`, shortest first;
   * `end` is the UTF-16 index just after the piece.
   */
  forEachPrefix(text: string, start: number, found: (id: number, end: number) => void): void {
    let node = 0;
    for (let i = start; i < text.length; i++) {
      const next = this.children.get(node * 65536 + text.charCodeAt(i));
      if (next === undefined) return;
      node = next;
      const id = this.value[node]!;
      if (id >= 0) found(id, i + 1);
    }
  }
}
