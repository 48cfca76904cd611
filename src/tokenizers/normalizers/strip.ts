/** {"type":"Strip"} (leading/trailing whitespace) and {"type":"StripAccents"} (combining marks). */
import { getBoolean, type JsonObject, type JsonPath } from "../json.js";
import { isWhitespace, type NormalizedString } from "../normalized-string.js";
import type { Normalizer } from "./normalizer.js";

/** {"type":"Strip"}: removes whitespace at the start and/or end. */
export class Strip implements Normalizer {
  readonly type = "Strip";
  constructor(
    readonly stripLeft = true,
    readonly stripRight = true,
  ) {}
  normalize(s: NormalizedString): void {
    s.lrstrip(this.stripLeft, this.stripRight);
  }
  normalizeString(text: string): string {
    const chars = [...text];
    let from = 0;
    let to = chars.length;
    if (this.stripLeft) while (from < to && isWhitespace(chars[from]!)) from++;
    if (this.stripRight) while (to > from && isWhitespace(chars[to - 1]!)) to--;
    return chars.slice(from, to).join("");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, strip_left: this.stripLeft, strip_right: this.stripRight };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Strip {
    return new Strip(getBoolean(json, "strip_left", at), getBoolean(json, "strip_right", at));
  }
}

const COMBINING_MARK = /^\p{M}$/u;

/** Removes combining marks (General_Category=Mark); usually after NFD, so "é" becomes "e". */
export class StripAccents implements Normalizer {
  readonly type = "StripAccents";
  normalize(s: NormalizedString): void {
    s.filter((c) => !COMBINING_MARK.test(c));
  }
  normalizeString(text: string): string {
    let out = "";
    for (const c of text) if (!COMBINING_MARK.test(c)) out += c;
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
