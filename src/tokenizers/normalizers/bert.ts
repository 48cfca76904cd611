/**
 * {"type":"BertNormalizer"}: BERT's text cleanup (google-research/bert tokenization.py, as HF ports
 * it): drop NUL, U+FFFD and control characters, map whitespace to " ", put spaces around CJK
 * ideographs, strip accents (default: when lowercasing), lowercase.
 */
import { getBoolean, optional, asBoolean, type JsonObject, type JsonPath } from "../json.js";
import { isWhitespace, type CharChange, type NormalizedString } from "../normalized-string.js";
import type { Normalizer } from "./normalizer.js";

const OTHER = /^\p{C}$/u;
/**
 * Only nonspacing marks (Mn): HF's BertNormalizer filters `is_mark_nonspacing`, so enclosing marks
 * (Me, e.g. the keycap U+20E3 of `1️⃣`) and spacing marks (Mc) stay, unlike the StripAccents normalizer.
 */
export const NONSPACING_MARK = /^\p{Mn}$/u;

/** Whitespace to BERT's clean-up: tab, newline, carriage return and Unicode White_Space. */
export function isBertWhitespace(c: string): boolean {
  return c === "\t" || c === "\n" || c === "\r" || isWhitespace(c);
}

/** A control character to BERT's clean-up: General_Category C* except tab, newline and carriage return. */
export function isBertControl(c: string): boolean {
  return c !== "\t" && c !== "\n" && c !== "\r" && OTHER.test(c);
}

/** The CJK Unified Ideographs blocks BERT treats as single words. */
export function isChineseChar(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Options of BERT's normalizer: clean control characters, pad CJK characters, strip accents, lowercase. */
export interface BertNormalizerOptions {
  cleanText?: boolean;
  handleChineseChars?: boolean;
  /** undefined: follow `lowercase`. */
  stripAccents?: boolean;
  lowercase?: boolean;
}

/** {"type":"BertNormalizer"}: BERT's clean-up, CJK spacing, accent stripping and lowercasing. */
export class BertNormalizer implements Normalizer {
  readonly type = "BertNormalizer";
  readonly cleanText: boolean;
  readonly handleChineseChars: boolean;
  readonly stripAccents: boolean | undefined;
  readonly lowercase: boolean;

  constructor(options: BertNormalizerOptions = {}) {
    this.cleanText = options.cleanText ?? true;
    this.handleChineseChars = options.handleChineseChars ?? true;
    this.stripAccents = options.stripAccents;
    this.lowercase = options.lowercase ?? true;
  }

  normalize(s: NormalizedString): void {
    if (this.cleanText) {
      s.filter((c) => !(c === "\0" || c === "\ufffd" || isBertControl(c))).map((c) => (isBertWhitespace(c) ? " " : c));
    }
    if (this.handleChineseChars) {
      const changes: CharChange[] = [];
      let any = false;
      for (const c of s.get()) {
        if (isChineseChar(c)) {
          changes.push([" ", 0], [c, 1], [" ", 1]);
          any = true;
        } else {
          changes.push([c, 0]);
        }
      }
      if (any) s.transform(changes, 0);
    }
    if (this.stripAccents ?? this.lowercase) s.nfd().filter((c) => !NONSPACING_MARK.test(c));
    if (this.lowercase) s.lowercase();
  }

  normalizeString(text: string): string {
    let s = text;
    if (this.cleanText) {
      let out = "";
      for (const c of s) if (!(c === "\0" || c === "\ufffd" || isBertControl(c))) out += isBertWhitespace(c) ? " " : c;
      s = out;
    }
    if (this.handleChineseChars) {
      let out = "";
      for (const c of s) out += isChineseChar(c) ? ` ${c} ` : c;
      s = out;
    }
    if (this.stripAccents ?? this.lowercase) {
      let out = "";
      for (const c of s.normalize("NFD")) if (!NONSPACING_MARK.test(c)) out += c;
      s = out;
    }
    if (this.lowercase) {
      let out = "";
      for (const c of s) out += c.toLowerCase();
      s = out;
    }
    return s;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      clean_text: this.cleanText,
      handle_chinese_chars: this.handleChineseChars,
      strip_accents: this.stripAccents ?? null,
      lowercase: this.lowercase,
    };
  }

  static fromJSON(json: JsonObject, at: JsonPath): BertNormalizer {
    return new BertNormalizer({
      cleanText: getBoolean(json, "clean_text", at),
      handleChineseChars: getBoolean(json, "handle_chinese_chars", at),
      stripAccents: optional(json, "strip_accents", at, asBoolean),
      lowercase: getBoolean(json, "lowercase", at),
    });
  }
}
