/**
 * Turns byte-fallback pieces back into text: a run of `<0xNN>` tokens is joined into its bytes and
 * decoded as UTF-8; a run that is not valid UTF-8 becomes one U+FFFD per byte, as Hugging Face's
 * `ByteFallback` decoder does. Other tokens pass through.
 *
 * tokenizer.json: `{"type":"ByteFallback"}`.
 */
import type { Decoder } from "./decoder.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** {"type":"ByteFallback"}: turns `<0xNN>` byte tokens back into the UTF-8 text they spell. */
export class ByteFallback implements Decoder {
  readonly type = "ByteFallback";

  decodeChain(tokens: string[]): string[] {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length === 0) return;
      try {
        out.push(utf8.decode(Uint8Array.from(bytes)));
      } catch {
        for (let k = 0; k < bytes.length; k++) out.push("\uFFFD");
      }
      bytes = [];
    };
    for (const token of tokens) {
      const match = BYTE_PIECE.exec(token);
      if (match) {
        bytes.push(parseInt(match[1]!, 16));
      } else {
        flush();
        out.push(token);
      }
    }
    flush();
    return out;
  }

  toJSON(): Record<string, unknown> {
    return { type: "ByteFallback" };
  }

  static fromJSON(): ByteFallback {
    return new ByteFallback();
  }
}
