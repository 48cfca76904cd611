/**
 * {"type":"Punctuation","behavior":…}: splits on punctuation characters (ASCII punctuation, which
 * includes symbols like `$` and `+`, or Unicode General_Category P*), each its own match;
 * {"type":"BertPreTokenizer"}: whitespace split, then every punctuation character isolated.
 */
import { getString, type JsonObject, type JsonPath } from "../json.js";
import { isWhitespace } from "../normalized-string.js";
import { SPLIT_DELIMITER_BEHAVIORS, splitString, type SplitDelimiterBehavior } from "../pattern.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import type { PreTokenizer } from "./pre-tokenizer.js";

const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const UNICODE_PUNCTUATION = /^\p{P}$/u;

/** Rust's `is_ascii_punctuation() || is_punctuation()`, which BERT uses. */
export function isPunctuation(c: string): boolean {
  if (c.charCodeAt(0) < 0x80) return ASCII_PUNCTUATION.test(c);
  return UNICODE_PUNCTUATION.test(c);
}

export function readBehavior(json: JsonObject, at: JsonPath): SplitDelimiterBehavior {
  const b = getString(json, "behavior", at);
  if (!(SPLIT_DELIMITER_BEHAVIORS as readonly string[]).includes(b)) {
    throw at.key("behavior").error(`expected one of ${SPLIT_DELIMITER_BEHAVIORS.join(", ")}, got "${b}"`);
  }
  return b as SplitDelimiterBehavior;
}

/** {"type":"Punctuation"}: splits punctuation characters off. */
export class Punctuation implements PreTokenizer {
  readonly type = "Punctuation";
  constructor(readonly behavior: SplitDelimiterBehavior = "Isolated") {}
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(isPunctuation, this.behavior));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, isPunctuation, this.behavior);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, behavior: this.behavior };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Punctuation {
    return new Punctuation(json["behavior"] === undefined ? "Isolated" : readBehavior(json, at));
  }
}

/** {"type":"BertPreTokenizer"}: splits on whitespace and around each punctuation character, as BERT does. */
export class BertPreTokenizer implements PreTokenizer {
  readonly type = "BertPreTokenizer";
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(isWhitespace, "Removed").flatMap((w) => w.split(isPunctuation, "Isolated")));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, isWhitespace, "Removed").flatMap((w) => splitString(w, isPunctuation, "Isolated"));
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
