/** {"type":"Split","pattern":{"String"|"Regex":…},"behavior":…,"invert":…}: a configurable split. */
import { ValueError } from "../../errors.js";
import { getBoolean, type JsonObject, type JsonPath } from "../json.js";
import { readJsonPattern } from "../normalizers/replace.js";
import { splitString, type SplitDelimiterBehavior } from "../pattern.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import { patternFromJSON, type JsonPattern } from "../regex.js";
import type { PreTokenizer } from "./pre-tokenizer.js";
import { readBehavior } from "./punctuation.js";

/** {"type":"Split"}: splits on a string or regex, keeping the delimiters as the behaviour says. */
export class Split implements PreTokenizer {
  readonly type = "Split";
  private readonly compiled: string | RegExp;
  constructor(
    readonly pattern: JsonPattern,
    readonly behavior: SplitDelimiterBehavior,
    readonly invert = false,
  ) {
    this.compiled = patternFromJSON(pattern);
  }
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(this.compiled, this.behavior, this.invert));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, this.compiled, this.behavior, this.invert);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, pattern: { ...this.pattern }, behavior: this.behavior, invert: this.invert };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Split {
    const pattern = readJsonPattern(json, at);
    try {
      return new Split(pattern, readBehavior(json, at), getBoolean(json, "invert", at));
    } catch (e) {
      // A regex that does not compile, or one refused for exponential backtracking.
      if (e instanceof ValueError) throw at.key("pattern").error(e.message);
      throw e;
    }
  }
}
