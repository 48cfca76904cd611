/** A small seeded generator for subword sampling, so that a sampled segmentation is reproducible. */
export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
}

/**
 * Mulberry32 (Tommy Ettinger's 32-bit generator): fast, and plenty for choosing among segmentations;
 * not for cryptography.
 */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
