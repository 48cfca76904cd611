/**
 * Byte-level offset trimming (HF `process_offsets`): a byte-level token's offsets include the space
 * its "Ġ" stands for; trimming moves them past leading/trailing spaces, except the single prefix space
 * a tokenizer added itself (`addPrefixSpace`) on the first token.
 */
import { BYTE_TO_CHAR } from "../byte-level-alphabet.js";
import type { Encoding } from "../encoding.js";
import { isWhitespace } from "../normalized-string.js";

const SPACE_CHAR = BYTE_TO_CHAR[0x20]!;

function isSpaceLike(c: string): boolean {
  return c === SPACE_CHAR || isWhitespace(c);
}

/** Narrows byte-level tokens' offsets so they do not cover leading or trailing spaces. */
export function trimByteLevelOffsets(encoding: Encoding, addPrefixSpace: boolean): void {
  encoding.tokens.forEach((token, i) => {
    const chars = [...token];
    let leading = 0;
    while (leading < chars.length && isSpaceLike(chars[leading]!)) leading++;
    let trailing = 0;
    while (trailing < chars.length && isSpaceLike(chars[chars.length - 1 - trailing]!)) trailing++;
    if (leading === 0 && trailing === 0) return;
    const o = encoding.offsets[i]!;
    let [start, end] = o;
    if (leading > 0) {
      const isFirst = i === 0 || start === 0;
      if (isFirst && addPrefixSpace && leading === 1) leading = 0;
      start = Math.min(start + leading, end);
    }
    if (trailing > 0 && end >= trailing) end = Math.max(end - trailing, start);
    encoding.offsets[i] = [start, end];
  });
  for (const o of encoding.overflowing) trimByteLevelOffsets(o, addPrefixSpace);
}
