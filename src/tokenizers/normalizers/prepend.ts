/** {"type":"Prepend","prepend":"▁"}: adds a prefix to non-empty text. */
import { getString, type JsonObject, type JsonPath } from "../json.js";
import type { NormalizedString } from "../normalized-string.js";
import type { Normalizer } from "./normalizer.js";

/** {"type":"Prepend"}: puts a string before non-empty text. */
export class Prepend implements Normalizer {
  readonly type = "Prepend";
  constructor(readonly prepend: string) {}
  normalize(s: NormalizedString): void {
    s.prepend(this.prepend);
  }
  normalizeString(text: string): string {
    return text.length > 0 ? this.prepend + text : text;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, prepend: this.prepend };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Prepend {
    return new Prepend(getString(json, "prepend", at));
  }
}
