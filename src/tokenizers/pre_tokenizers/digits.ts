/** {"type":"Digits","individual_digits":…}: isolates numeric characters (\p{N}), one by one or as runs. */
import { getBoolean, type JsonObject, type JsonPath } from "../json.js";
import { splitString } from "../pattern.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import type { PreTokenizer } from "./pre-tokenizer.js";

const NUMERIC = /^\p{N}$/u;
const isNumeric = (c: string): boolean => NUMERIC.test(c);

/** {"type":"Digits"}: splits digits from the rest, each digit alone if `individualDigits`. */
export class Digits implements PreTokenizer {
  readonly type = "Digits";
  constructor(readonly individualDigits = false) {}
  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => s.split(isNumeric, this.individualDigits ? "Isolated" : "Contiguous"));
  }
  preTokenizeString(text: string): string[] {
    return splitString(text, isNumeric, this.individualDigits ? "Isolated" : "Contiguous");
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, individual_digits: this.individualDigits };
  }
  static fromJSON(json: JsonObject, at: JsonPath): Digits {
    return new Digits(getBoolean(json, "individual_digits", at));
  }
}
