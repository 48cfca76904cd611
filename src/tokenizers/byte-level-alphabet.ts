/**
 * GPT-2's reversible map between bytes and printable Unicode characters (openai/gpt-2 encoder.py
 * `bytes_to_unicode`): the 188 printable Latin-1 bytes stand for themselves, the other 68 bytes take
 * the characters U+0100, U+0101, … in byte order, so every byte sequence is a string without
 * whitespace or control characters.
 */

function isPrintable(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/** BYTE_TO_CHAR[b] is the character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(isPrintable(b) ? b : 256 + n++);
  return out;
})();

/** The inverse map: character code → byte, or -1. */
const CHAR_TO_BYTE = (() => {
  const out = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((c, b) => (out[c.charCodeAt(0)] = b));
  return out;
})();

export function charToByte(code: number): number {
  return code < 512 ? CHAR_TO_BYTE[code]! : -1;
}

/** Appends the UTF-8 bytes of the code point at s[i] to `out`; lone surrogates encode as U+FFFD, as TextEncoder does. Returns the code units read. */
export function utf8At(s: string, i: number, out: number[]): number {
  let cp = s.charCodeAt(i);
  let n = 1;
  if (cp >= 0xd800 && cp <= 0xdfff) {
    const d = s.charCodeAt(i + 1);
    if (cp <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (d - 0xdc00);
      n = 2;
    } else {
      cp = 0xfffd;
    }
  }
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  return n;
}

/** The byte-level string of `s`: its UTF-8 bytes as alphabet characters. */
export function toByteLevel(s: string): string {
  let out = "";
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += BYTE_TO_CHAR[c];
      i++;
      continue;
    }
    bytes.length = 0;
    i += utf8At(s, i, bytes);
    for (const b of bytes) out += BYTE_TO_CHAR[b];
  }
  return out;
}

// ignoreBOM: a leading U+FEFF is text here, not a byte-order mark to drop.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes byte-level text back to a string; invalid UTF-8 becomes U+FFFD (like Rust's from_utf8_lossy). Characters outside the alphabet are kept as their UTF-8. */
export function fromByteLevel(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const b = charToByte(s.charCodeAt(i));
    if (b >= 0) {
      bytes.push(b);
      i++;
    } else {
      i += utf8At(s, i, bytes);
    }
  }
  return UTF8.decode(new Uint8Array(bytes));
}
