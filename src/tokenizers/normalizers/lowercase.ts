/** {"type":"Lowercase"}: character-wise lowercasing. */
import type { NormalizedString } from "../normalized-string.js";
import type { Normalizer } from "./normalizer.js";

/** {"type":"Lowercase"}: lowercases the text. */
export class Lowercase implements Normalizer {
  readonly type = "Lowercase";
  normalize(s: NormalizedString): void {
    s.lowercase();
  }
  normalizeString(text: string): string {
    let out = "";
    for (const c of text) out += c.toLowerCase();
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
