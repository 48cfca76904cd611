/** {"type":"Fuse"}: joins all tokens into one string. */
import type { Decoder } from "./decoder.js";

/** {"type":"Fuse"}: joins all tokens into one string. */
export class Fuse implements Decoder {
  readonly type = "Fuse";
  decodeChain(tokens: string[]): string[] {
    return [tokens.join("")];
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type };
  }
}
