/** {"type":"BPEDecoder","suffix":"</w>"}: the end-of-word suffix becomes a space (nothing after the last token). */
import { getString, type JsonObject, type JsonPath } from "../json.js";
import type { Decoder } from "./decoder.js";

/** {"type":"BPEDecoder"}: turns the end-of-word suffix (e.g. "</w>") back into spaces. */
export class BPEDecoder implements Decoder {
  readonly type = "BPEDecoder";
  constructor(readonly suffix = "</w>") {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t, i) => t.split(this.suffix).join(i === tokens.length - 1 ? "" : " "));
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, suffix: this.suffix };
  }
  static fromJSON(json: JsonObject, at: JsonPath): BPEDecoder {
    return new BPEDecoder(getString(json, "suffix", at));
  }
}
