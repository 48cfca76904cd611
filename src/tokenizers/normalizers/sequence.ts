/** {"type":"Sequence","normalizers":[…]}: runs normalizers in order. */
import { asArray, getArray, type JsonObject, type JsonPath } from "../json.js";
import type { NormalizedString } from "../normalized-string.js";
import { normalizerRegistry, type Normalizer } from "./normalizer.js";

/** {"type":"Sequence"}: runs several normalizers in order. */
export class NormalizerSequence implements Normalizer {
  readonly type = "Sequence";
  constructor(readonly normalizers: Normalizer[]) {}
  normalize(s: NormalizedString): void {
    for (const n of this.normalizers) n.normalize(s);
  }
  /** Present only when every inner normalizer has it. */
  get normalizeString(): ((text: string) => string) | undefined {
    if (!this.normalizers.every((n) => n.normalizeString)) return undefined;
    return (text) => this.normalizers.reduce((t, n) => n.normalizeString!(t), text);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, normalizers: this.normalizers.map((n) => n.toJSON()) };
  }
  static fromJSON(json: JsonObject, at: JsonPath): NormalizerSequence {
    const list = asArray(getArray(json, "normalizers", at), at.key("normalizers"));
    return new NormalizerSequence(list.map((n, i) => normalizerRegistry.fromJSON(n, at.key("normalizers").index(i))));
  }
}
