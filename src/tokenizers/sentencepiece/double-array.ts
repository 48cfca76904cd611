/**
 * Reader of a darts-clone double-array trie (Susumu Yata's darts-clone, the format SentencePiece
 * serialises inside `precompiled_charsmap`). Each 32-bit unit packs a label, a leaf flag and the XOR
 * offset to the children:
 *   label  = unit & (1<<31 | 0xff)          (bit 31 set marks a value unit, which never matches a label)
 *   leaf   = (unit >> 8) & 1                  (a key ends here; its value is in the unit at the child offset)
 *   offset = (unit >> 10) << ((unit & 1<<9) >> 6)
 *   value  = unit & 0x7fffffff
 */
export class DoubleArray {
  /** Value of the key `longestMatch` found last (-1 when none). */
  matchValue = -1;

  constructor(private readonly units: Uint32Array) {}

  /**
   * The longest key that is a prefix of `key[start…]` and ends where `acceptEnd(end)` allows: its
   * length in bytes (0 if none), with its value in `this.matchValue`. No closure per call, for the
   * normalizer's inner loop.
   */
  longestMatch(key: Uint8Array, start: number, acceptEnd: (end: number) => boolean): number {
    const units = this.units;
    this.matchValue = -1;
    if (units.length === 0) return 0;
    let best = 0;
    let pos = offsetOf(units[0]!);
    for (let i = start; i < key.length; i++) {
      const c = key[i]!;
      pos ^= c;
      if (pos >= units.length) break;
      const unit = units[pos]!;
      if ((unit & 0x800000ff) !== c) break;
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1 && pos < units.length && acceptEnd(i + 1)) {
        best = i + 1 - start;
        this.matchValue = units[pos]! & 0x7fffffff;
      }
    }
    return best;
  }

  /** Whether some key starts with `key[0, length)` (a path from the root spells it). */
  hasPrefix(key: Uint8Array, length: number): boolean {
    const units = this.units;
    if (units.length === 0) return false;
    let pos = offsetOf(units[0]!);
    for (let i = 0; i < length; i++) {
      const c = key[i]!;
      pos ^= c;
      if (pos >= units.length) return false;
      const unit = units[pos]!;
      if ((unit & 0x800000ff) !== c) return false;
      pos ^= offsetOf(unit);
    }
    return true;
  }

  /**
   * Calls `found(value, length)` for every key that is a prefix of `key[start…]`, shortest first;
   * `length` is in bytes.
   */
  commonPrefixSearch(key: Uint8Array, start: number, found: (value: number, length: number) => void): void {
    const units = this.units;
    if (units.length === 0) return;
    let unit = units[0]!;
    let pos = offsetOf(unit);
    for (let i = start; i < key.length; i++) {
      const c = key[i]!;
      pos ^= c;
      if (pos >= units.length) return;
      unit = units[pos]!;
      if ((unit & 0x800000ff) !== c) return;
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1) {
        if (pos >= units.length) return;
        found(units[pos]! & 0x7fffffff, i - start + 1);
      }
    }
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & 0x200) >>> 6);
}
