/**
 * A bounded word → result cache. When full, the oldest entry is evicted (first-in, first-out: a Map
 * iterates in insertion order), a cheap approximation of LRU that keeps frequent words because they
 * are re-inserted soon after eviction.
 */
export class WordCache<V> {
  private readonly map = new Map<string, V>();
  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
