/** {"type":"WordPiece"} decoder: joins pieces, removing "##" and putting spaces between words; `cleanup` undoes BERT's spacing around punctuation. */
import { getBoolean, getString, type JsonObject, type JsonPath } from "../json.js";
import type { Decoder } from "./decoder.js";

/** The spacing fixes of HF's `cleanup` (from transformers' clean_up_tokenization), in its order. */
export function cleanupTokenization(s: string): string {
  return s
    .replaceAll(" .", ".")
    .replaceAll(" ?", "?")
    .replaceAll(" !", "!")
    .replaceAll(" ,", ",")
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" do not", " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** {"type":"WordPiece"}: joins "##" continuation pieces to the word before them and cleans up spaces before punctuation. */
export class WordPieceDecoder implements Decoder {
  readonly type = "WordPiece";
  constructor(
    readonly prefix = "##",
    readonly cleanup = true,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) => {
      let t = token;
      if (i !== 0) t = t.startsWith(this.prefix) ? t.slice(this.prefix.length) : " " + t;
      return this.cleanup ? cleanupTokenization(t) : t;
    });
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, prefix: this.prefix, cleanup: this.cleanup };
  }
  static fromJSON(json: JsonObject, at: JsonPath): WordPieceDecoder {
    return new WordPieceDecoder(getString(json, "prefix", at), getBoolean(json, "cleanup", at));
  }
}
