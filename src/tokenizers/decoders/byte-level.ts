/** {"type":"ByteLevel"} decoder: byte-level characters back to bytes, then UTF-8 (invalid bytes → U+FFFD). */
import { charToByte, utf8At } from "../byte-level-alphabet.js";
import type { JsonObject, JsonPath } from "../json.js";
import { readByteLevelOptions } from "../pre_tokenizers/byte-level.js";
import { ByteLevelSettings } from "../byte-level-settings.js";
import type { Decoder } from "./decoder.js";

// ignoreBOM: a leading U+FEFF is text here, not a byte-order mark to drop.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** {"type":"ByteLevel"}: maps GPT-2's byte alphabet back to bytes and decodes them as UTF-8. */
export class ByteLevelDecoder extends ByteLevelSettings implements Decoder {
  decodeChain(tokens: string[]): string[] {
    const bytes: number[] = [];
    for (const token of tokens) {
      const start = bytes.length;
      let ok = true;
      for (let i = 0; i < token.length; i++) {
        const b = charToByte(token.charCodeAt(i));
        if (b < 0) {
          ok = false;
          break;
        }
        bytes.push(b);
      }
      if (!ok) {
        // A token outside the byte alphabet (an added token) stands for its own UTF-8, as in HF.
        bytes.length = start;
        for (let i = 0; i < token.length; ) i += utf8At(token, i, bytes);
      }
    }
    return [UTF8.decode(new Uint8Array(bytes))];
  }
  static fromJSON(json: JsonObject, at: JsonPath): ByteLevelDecoder {
    return new ByteLevelDecoder(readByteLevelOptions(json, at));
  }
}
