/**
 * SentencePiece's precompiled normalizer: the rewrite rules of a `.model`'s `precompiled_charsmap`
 * (nmt_nfkc, nfkc, … compiled by spm_train) applied exactly as libsentencepiece applies them — at each
 * position the longest rule matching the UTF-8 bytes ahead wins (`Normalizer::NormalizePrefix`);
 * where no rule matches, the character is kept. This is not NFKC: the rules also drop control
 * characters, map odd spaces to " ", and leave some NFKC cases alone.
 *
 * Charsmap layout: u32 little-endian byte size of the trie, the darts-clone trie, then the replacement
 * strings, each ended by a NUL; a trie value is the byte offset of its replacement.
 *
 * tokenizer.json: `{"type":"Precompiled","precompiled_charsmap":"<base64>"}`.
 */
import { getString, JsonPath, type JsonObject } from "../json.js";
import type { Alignments, NormalizedString } from "../normalized-string.js";
import { DoubleArray } from "../sentencepiece/double-array.js";
import type { Normalizer } from "./normalizer.js";

/** One output character and how it aligns (Hugging Face `NormalizedString::transform` changes). */
export type CharChange = [string, number];

export interface PrecompiledChanges {
  /** Per output code point: 0 replaces one input character, 1 is inserted, -n also removes n following input characters. */
  changes: CharChange[];
  /** Input characters removed before the first output character. */
  initialOffset: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** {"type":"Precompiled"}: SentencePiece's normalisation rules, compiled into a character map (from a `.model` file). */
export class Precompiled implements Normalizer {
  readonly type = "Precompiled";
  private readonly trie: DoubleArray;
  private readonly normalized: Uint8Array;
  private readonly replacements = new Map<number, string>();

  /** `at` names the file and field the charsmap came from, for errors. */
  constructor(
    readonly charsmap: Uint8Array,
    at = new JsonPath("tokenizer.json", "normalizer.precompiled_charsmap"),
  ) {
    if (charsmap.length === 0) {
      this.trie = new DoubleArray(new Uint32Array(0));
      this.normalized = new Uint8Array(0);
      return;
    }
    if (charsmap.length < 4) throw at.error(`${charsmap.length} bytes is too short for a charsmap`);
    const view = new DataView(charsmap.buffer, charsmap.byteOffset, charsmap.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || 4 + trieSize > charsmap.length) {
      throw at.error(`trie size ${trieSize} does not fit the ${charsmap.length}-byte charsmap`);
    }
    const units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < units.length; i++) units[i] = view.getUint32(4 + 4 * i, true);
    this.trie = new DoubleArray(units);
    this.normalized = charsmap.subarray(4 + trieSize);
  }

  static fromJSON(json: JsonObject, at: JsonPath): Precompiled {
    const charsmap = getString(json, "precompiled_charsmap", at);
    return new Precompiled(Buffer.from(charsmap, "base64"), at.key("precompiled_charsmap"));
  }

  normalize(s: NormalizedString): void {
    const { changes, initialOffset } = this.changes(s.get());
    s.transform(changes, initialOffset);
  }

  toJSON(): Record<string, unknown> {
    return { type: "Precompiled", precompiled_charsmap: Buffer.from(this.charsmap).toString("base64") };
  }

  private replacement(offset: number): string {
    let text = this.replacements.get(offset);
    if (text === undefined) {
      let end = offset;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      text = decoder.decode(this.normalized.subarray(offset, end));
      this.replacements.set(offset, text);
    }
    return text;
  }

  /** The normalized text and its alignment to `text`, as `NormalizedString.transform` takes them. */
  changes(text: string): PrecompiledChanges {
    const bytes = encoder.encode(text);
    // Rules cover whole characters; the check keeps a malformed charsmap from splitting one.
    const atCharStart = (end: number): boolean => end >= bytes.length || (bytes[end]! & 0xc0) !== 0x80;
    const changes: CharChange[] = [];
    let initialOffset = 0;
    // i walks `text` in UTF-16 units and b its UTF-8 bytes, in step (a lone surrogate is the 3 bytes
    // of U+FFFD in both TextEncoder's output and utf8Length).
    for (let i = 0, b = 0; b < bytes.length; ) {
      const matched = this.trie.longestMatch(bytes, b, atCharStart);
      if (matched === 0) {
        const cp = text.codePointAt(i)!;
        const units = cp > 0xffff ? 2 : 1;
        changes.push([text.slice(i, i + units), 0]);
        i += units;
        b += utf8Length(cp);
        continue;
      }
      const end = b + matched;
      let consumed = 0;
      while (b < end) {
        const cp = text.codePointAt(i)!;
        i += cp > 0xffff ? 2 : 1;
        b += utf8Length(cp);
        consumed++;
      }
      const produced = this.replacement(this.trie.matchValue);
      const before = changes.length;
      for (const ch of produced) changes.push([ch, 0]);
      const diff = changes.length - before - consumed;
      if (diff > 0) {
        for (let k = changes.length - diff; k < changes.length; k++) changes[k]![1] = 1;
      } else if (diff < 0) {
        const last = changes[changes.length - 1];
        if (last !== undefined) last[1] += diff;
        else initialOffset -= diff;
      }
    }
    return { changes, initialOffset };
  }

  /** The normalized text alone. */
  normalizeString(text: string): string {
    return this.normalizeAligned(text, null);
  }

  /**
   * Per BMP code unit: 1 when some rule may start with that character (its UTF-8 bytes begin a key
   * of the trie), so that every other character is copied without a trie walk; surrogates are 1.
   */
  private mayRewrite: Uint8Array | undefined;

  private rewriteTable(): Uint8Array {
    if (this.mayRewrite) return this.mayRewrite;
    const table = new Uint8Array(65536);
    const bytes = new Uint8Array(3);
    for (let c = 0; c < 65536; c++) {
      if (c >= 0xd800 && c <= 0xdfff) {
        table[c] = 1;
        continue;
      }
      let n: number;
      if (c < 0x80) {
        bytes[0] = c;
        n = 1;
      } else if (c < 0x800) {
        bytes[0] = 0xc0 | (c >> 6);
        bytes[1] = 0x80 | (c & 0x3f);
        n = 2;
      } else {
        bytes[0] = 0xe0 | (c >> 12);
        bytes[1] = 0x80 | ((c >> 6) & 0x3f);
        bytes[2] = 0x80 | (c & 0x3f);
        n = 3;
      }
      table[c] = this.trie.hasPrefix(bytes, n) ? 1 : 0;
    }
    this.mayRewrite = table;
    // Rules such as "e" + U+0301 → "é" make most ASCII letters rule starts; for each ASCII pair the
    // charsmap can tell in advance whether any rule continues past the first letter.
    const pairs = new Uint8Array(128 * 128);
    const alone = new Uint8Array(128);
    for (let c = 0; c < 128; c++) {
      if (table[c] === 0) continue;
      bytes[0] = c;
      alone[c] = this.trie.longestMatch(bytes.subarray(0, 1), 0, () => true) === 1 ? 1 : 0;
      for (let next = 0; next < 128; next++) {
        bytes[1] = next;
        pairs[c * 128 + next] = this.trie.hasPrefix(bytes, 2) ? 1 : 0;
      }
    }
    this.asciiPairMayRewrite = pairs;
    this.asciiAloneRewrites = alone;
    return table;
  }

  /** Per ASCII pair (128·first + second): 1 when some rule starts with the two characters. */
  private asciiPairMayRewrite = new Uint8Array(0);
  /** Per ASCII character: 1 when it alone is a rule. */
  private asciiAloneRewrites = new Uint8Array(0);

  /**
   * The normalized text, as `changes` gives it, without building a change per character: runs of
   * characters no rule starts with are copied. With `align`, also pushes for every code unit of the
   * result the [start, end) of the character of `text` it comes from — what `NormalizedString.transform`
   * makes of `changes`: a rule's j-th output character comes from its min(j, k)-th input character.
   */
  normalizeAligned(text: string, align: Alignments | null): string {
    const table = this.rewriteTable();
    const pairs = this.asciiPairMayRewrite;
    let bytes: Uint8Array | undefined;
    let out = "";
    let copyFrom = 0;
    // The change `changes` would give the last output character (1 for an inserted one), and where
    // its code units start in `align`: a rule that outputs nothing adds its count to that change, and
    // an inserted character that thereby consumes input takes the range of the first removed one.
    let lastChange = 0;
    let lastAlign = -1;
    const atCharStart = (end: number): boolean => end >= bytes!.length || (bytes![end]! & 0xc0) !== 0x80;
    for (let i = 0, b = 0; i < text.length; ) {
      const c = text.charCodeAt(i);
      const units = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      const width = c < 0x80 ? 1 : c < 0x800 ? 2 : units === 2 ? 4 : 3;
      let matched = 0;
      // An ASCII character that is no rule alone, followed by the end or by an ASCII character no
      // rule continues with, starts no match: skip the trie walk.
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      const noMatch = c < 0x80 && next < 0x80 && this.asciiAloneRewrites[c] === 0 && (next < 0 || pairs[c * 128 + next] === 0);
      if (table[c] !== 0 && !noMatch) {
        bytes ??= encoder.encode(text);
        matched = this.trie.longestMatch(bytes, b, atCharStart);
      }
      if (matched === 0) {
        if (align) {
          lastAlign = align.length;
          lastChange = 0;
          for (let k = 0; k < units; k++) align.push(i, i + units);
        }
        i += units;
        b += width;
        continue;
      }
      out += text.slice(copyFrom, i);
      // The input characters the rule consumes: their [start, end) ranges.
      const consumedStarts: number[] = [];
      const consumedEnds: number[] = [];
      for (const end = b + matched; b < end; ) {
        const cp = text.codePointAt(i)!;
        const n = cp > 0xffff ? 2 : 1;
        consumedStarts.push(i);
        consumedEnds.push(i + n);
        i += n;
        b += utf8Length(cp);
      }
      const produced = this.replacement(this.trie.matchValue);
      out += produced;
      copyFrom = i;
      if (!align) continue;
      const k = consumedStarts.length;
      if (produced.length === 0) {
        if (lastAlign >= 0) {
          const change = lastChange - k;
          if (lastChange > 0 && change <= 0) {
            align.fillFrom(lastAlign, consumedStarts[0]!, consumedEnds[0]!);
          }
          lastChange = change;
        }
        continue;
      }
      let j = 0;
      for (const ch of produced) {
        const from = Math.min(j++, k - 1);
        lastAlign = align.length;
        for (let u = 0; u < ch.length; u++) align.push(consumedStarts[from]!, consumedEnds[from]!);
      }
      lastChange = j > k ? 1 : j - k;
    }
    return out + text.slice(copyFrom);
  }
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
