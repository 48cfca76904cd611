/**
 * {"type":"ByteLevel"}: GPT-2's pre-tokenizer. Optionally adds a leading space, splits with GPT-2's
 * regex, then rewrites every piece as its UTF-8 bytes in the byte-level alphabet, each byte aligned
 * with the character it came from. Lone surrogates have no UTF-8 form; they become U+FFFD's bytes, as
 * in tiktoken (whose JS binding encodes through TextEncoder).
 */
import { BYTE_TO_CHAR, toByteLevel, utf8At } from "../byte-level-alphabet.js";
import { absentKeys, getBoolean, optional, asBoolean, type JsonObject, type JsonPath } from "../json.js";
import type { CharChange, NormalizedString } from "../normalized-string.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import { compileRegex, GPT2_PATTERN } from "../regex.js";
import type { PreTokenizer } from "./pre-tokenizer.js";
import { ByteLevelSettings, type ByteLevelOptions } from "../byte-level-settings.js";

/** GPT-2's split pattern, compiled. */
export const GPT2_REGEX = compileRegex(GPT2_PATTERN);

export type { ByteLevelOptions } from "../byte-level-settings.js";

/** Rewrites `s` into the byte-level alphabet, keeping alignments. */
export function byteLevelTransform(s: NormalizedString): void {
  const text = s.get();
  const changes: CharChange[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    bytes.length = 0;
    i += utf8At(text, i, bytes);
    bytes.forEach((b, k) => changes.push([BYTE_TO_CHAR[b]!, k > 0 ? 1 : 0]));
  }
  s.transform(changes, 0);
}

/**
 * {"type":"ByteLevel"}: splits with GPT-2's regex and maps every byte to a printable character, so any text is in the vocabulary.
 */
export class ByteLevelPreTokenizer extends ByteLevelSettings implements PreTokenizer {

  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => {
      if (this.addPrefixSpace && !s.get().startsWith(" ")) s.prepend(" ");
      return this.useRegex ? s.split(GPT2_REGEX, "Isolated") : [s];
    });
    pts.normalize(byteLevelTransform);
  }

  /** Piece → byte-level text; words repeat, so most pieces of a corpus are converted once. */
  private readonly byteLevelCache = new Map<string, string>();

  private cachedByteLevel(piece: string): string {
    let b = this.byteLevelCache.get(piece);
    if (b === undefined) {
      b = toByteLevel(piece);
      if (piece.length <= 64) {
        if (this.byteLevelCache.size >= 100_000) this.byteLevelCache.clear();
        this.byteLevelCache.set(piece, b);
      }
    }
    return b;
  }

  preTokenizeString(text: string): string[] {
    const s = this.addPrefixSpace && text.length > 0 && !text.startsWith(" ") ? " " + text : text;
    if (!this.useRegex) return s.length > 0 ? [toByteLevel(s)] : [];
    // splitString(s, GPT2_REGEX, "Isolated"), unrolled: this runs over whole training corpora.
    const out: string[] = [];
    const re = GPT2_REGEX;
    let done = 0;
    re.lastIndex = 0;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (m.index > done) out.push(toByteLevel(s.slice(done, m.index)));
      out.push(this.cachedByteLevel(m[0]));
      done = m.index + m[0].length;
    }
    if (done < s.length) out.push(toByteLevel(s.slice(done)));
    return out;
  }

  static fromJSON(json: JsonObject, at: JsonPath): ByteLevelPreTokenizer {
    return new ByteLevelPreTokenizer(readByteLevelOptions(json, at));
  }
}

/** The fields shared by the ByteLevel pre-tokenizer, post-processor and decoder. */
export function readByteLevelOptions(json: JsonObject, at: JsonPath): ByteLevelOptions {
  return {
    addPrefixSpace: getBoolean(json, "add_prefix_space", at),
    trimOffsets: optional(json, "trim_offsets", at, asBoolean) ?? true,
    useRegex: optional(json, "use_regex", at, asBoolean) ?? true,
    absentKeys: absentKeys(json, ["use_regex", "trim_offsets"]),
  };
}
