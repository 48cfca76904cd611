/**
 * Undoes the Metaspace pre-tokenizer: "▁" becomes " ", and the "▁" of the first token (the one the
 * pre-tokenizer prepended) is dropped unless the prepend scheme is "never" (Hugging Face `Metaspace`
 * decoder, which drops every "▁" of the first token).
 *
 * tokenizer.json: `{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}`.
 */
import type { JsonObject, JsonPath } from "../json.js";
import { MetaspaceSettings, readMetaspaceOptions } from "../pre_tokenizers/metaspace.js";
import type { Decoder } from "./decoder.js";

/** {"type":"Metaspace"}: turns "▁" back into spaces (dropping the one prepended at the start). */
export class MetaspaceDecoder extends MetaspaceSettings implements Decoder {
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) => {
      const space = i === 0 && this.prependScheme !== "never" ? "" : " ";
      return token.split(this.replacement).join(space);
    });
  }

  static fromJSON(json: JsonObject, at: JsonPath): MetaspaceDecoder {
    return new MetaspaceDecoder(readMetaspaceOptions(json, at));
  }
}
