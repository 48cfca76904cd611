/**
 * {"type":"Whitespace"}: words and runs of punctuation, `\w+|[^\w\s]+` with Unicode `\w`;
 * {"type":"WhitespaceSplit"}: split on Unicode whitespace only.
 */
import { isWhitespace } from "../normalized-string.js";
import { splitString } from "../pattern.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import { compileRegex } from "../regex.js";
import type { PreTokenizer } from "./pre-tokenizer.js";

const WORDS_OR_PUNCTUATION = compileRegex("\\w+|[^\\w\\s]+");

/** {"type":"Whitespace"}: splits into runs of word characters and runs of other non-space characters. */
export class Whitespace implements PreTokenizer {
  readonly type = "Whitespace";
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(WORDS_OR_PUNCTUATION, "Removed", true));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, WORDS_OR_PUNCTUATION, "Removed", true);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}

/** {"type":"WhitespaceSplit"}: splits on whitespace only. */
export class WhitespaceSplit implements PreTokenizer {
  readonly type = "WhitespaceSplit";
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(isWhitespace, "Removed"));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, isWhitespace, "Removed");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
