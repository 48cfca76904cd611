/** {"type":"Replace","pattern":{"String":…}|{"Regex":…},"content":…}: replaces every match. */
import { ValueError } from "../../errors.js";
import { getString, type JsonObject, type JsonPath } from "../json.js";
import type { NormalizedString } from "../normalized-string.js";
import { findMatches } from "../pattern.js";
import { patternFromJSON, type JsonPattern } from "../regex.js";
import type { Normalizer } from "./normalizer.js";

/** {"type":"Replace"}: replaces a string or regex everywhere. */
export class Replace implements Normalizer {
  readonly type = "Replace";
  private readonly compiled: string | RegExp;
  constructor(
    readonly pattern: JsonPattern,
    readonly content: string,
  ) {
    this.compiled = "String" in pattern ? pattern.String : patternFromJSON(pattern);
  }
  normalize(s: NormalizedString): void {
    s.replace(this.compiled, this.content);
  }
  normalizeString(text: string): string {
    let out = "";
    for (const [[s, e], isMatch] of findMatches(this.compiled, text)) out += isMatch ? this.content : text.slice(s, e);
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, pattern: { ...this.pattern }, content: this.content };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Replace {
    const pattern = readJsonPattern(json, at);
    try {
      return new Replace(pattern, getString(json, "content", at));
    } catch (e) {
      if (e instanceof ValueError) throw at.key("pattern").error(e.message);
      throw e;
    }
  }
}

export function readJsonPattern(json: JsonObject, at: JsonPath): JsonPattern {
  const p = json["pattern"];
  const pat = at.key("pattern");
  if (p && typeof p === "object" && !Array.isArray(p)) {
    if (typeof p["String"] === "string") return { String: p["String"] };
    if (typeof p["Regex"] === "string") return { Regex: p["Regex"] };
  }
  throw pat.error(`expected {"String": …} or {"Regex": …}`);
}
