/**
 * A bounded word → result cache in two generations: entries go into the young Map; when it holds
 * half the capacity it becomes the old one and the previous old one is dropped; a hit in the old
 * generation moves the entry to the young one. Frequent words therefore stay, at O(1) per call.
 * (Evicting the oldest entry of one Map one at a time is not O(1) in V8: deleted entries stay in the
 * Map's table until it is rebuilt, and `keys().next()` walks past all of them.)
 */
export class WordCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;

  constructor(readonly capacity: number) {
    this.generation = Math.max(1, Math.ceil(capacity / 2));
  }

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const old = this.old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  /** Entries held (a word may be counted in both generations). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
