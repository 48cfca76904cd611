/** {"type":"Sequence","pretokenizers":[…]}: runs pre-tokenizers in order. */
import { getArray, type JsonObject, type JsonPath } from "../json.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import { preTokenizerRegistry, type PreTokenizer } from "./pre-tokenizer.js";

/** {"type":"Sequence"}: runs several pre-tokenizers in order. */
export class PreTokenizerSequence implements PreTokenizer {
  readonly type = "Sequence";
  constructor(readonly preTokenizers: PreTokenizer[]) {}
  preTokenize(pts: PreTokenizedString): void {
    for (const p of this.preTokenizers) p.preTokenize(pts);
  }
  /** Present only when every inner pre-tokenizer has it. */
  get preTokenizeString(): ((text: string) => string[]) | undefined {
    if (!this.preTokenizers.every((p) => p.preTokenizeString)) return undefined;
    return (text) => this.preTokenizers.reduce((pieces, p) => pieces.flatMap((x) => p.preTokenizeString!(x)), [text]);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, pretokenizers: this.preTokenizers.map((p) => p.toJSON()) };
  }
  static fromJSON(json: JsonObject, at: JsonPath): PreTokenizerSequence {
    const list = getArray(json, "pretokenizers", at);
    return new PreTokenizerSequence(list.map((p, i) => preTokenizerRegistry.fromJSON(p, at.key("pretokenizers").index(i))));
  }
}
