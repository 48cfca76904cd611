/**
 * Added tokens (HF `AddedVocabulary`): strings that are never split by the model. Special tokens
 * (`[CLS]`, `<|endoftext|>`) are matched in the raw text and can be skipped when decoding; normal
 * added tokens with `normalized` are matched in the normalized text. Matching is leftmost-longest.
 * `single_word` accepts a match only between non-word characters; `lstrip`/`rstrip` take the
 * whitespace on that side into the token.
 */
import type { JsonObject, JsonPath } from "./json.js";
import { asBoolean, asObject, getBoolean, getInteger, getString, optional } from "./json.js";
import type { Model } from "./models/model.js";
import { isWhitespace, NormalizedString } from "./normalized-string.js";
import type { Normalizer } from "./normalizers/normalizer.js";
import { PreTokenizedString, type Split } from "./pre-tokenized-string.js";

/** How an added token matches text: whole words only, strip spaces around it, normalised or not, special or not. */
export interface AddedTokenOptions {
  singleWord?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  /** Match in the normalized text; defaults to `!special`. */
  normalized?: boolean;
  special?: boolean;
}

/**
 * A token added to a tokenizer beyond its model's vocabulary (e.g. `<|endoftext|>`), matched in the text before the model runs.
 */
export class AddedToken {
  readonly content: string;
  readonly singleWord: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;

  constructor(content: string, options: AddedTokenOptions = {}) {
    this.content = content;
    this.special = options.special ?? false;
    this.singleWord = options.singleWord ?? false;
    this.lstrip = options.lstrip ?? false;
    this.rstrip = options.rstrip ?? false;
    this.normalized = options.normalized ?? !this.special;
  }

  toJSON(id: number): Record<string, unknown> {
    return {
      id,
      content: this.content,
      single_word: this.singleWord,
      lstrip: this.lstrip,
      rstrip: this.rstrip,
      normalized: this.normalized,
      special: this.special,
    };
  }

  static fromJSON(json: JsonObject, at: JsonPath): { id: number; token: AddedToken } {
    const o = asObject(json, at);
    const special = getBoolean(o, "special", at);
    return {
      id: getInteger(o, "id", at),
      token: new AddedToken(getString(o, "content", at), {
        special,
        singleWord: optional(o, "single_word", at, asBoolean),
        lstrip: optional(o, "lstrip", at, asBoolean),
        rstrip: optional(o, "rstrip", at, asBoolean),
        normalized: optional(o, "normalized", at, asBoolean),
      }),
    };
  }
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

function lastChar(s: string): string {
  const c = s.codePointAt(s.length - 1) ?? 0;
  return c >= 0xdc00 && c <= 0xdfff && s.length >= 2 ? s.slice(-2) : s.slice(-1);
}

/** One set of patterns (raw or normalized) compiled for leftmost-longest matching. */
class Matcher {
  readonly regex: RegExp | undefined;
  readonly idOf = new Map<string, number>();
  constructor(entries: [string, number][]) {
    for (const [text, id] of entries) if (text.length > 0 && !this.idOf.has(text)) this.idOf.set(text, id);
    const texts = [...this.idOf.keys()].sort((a, b) => b.length - a.length);
    // Alternatives longest first: at the leftmost position the longest token wins.
    this.regex = texts.length > 0 ? new RegExp(texts.map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "gu") : undefined;
  }
}

/** The added tokens of a tokenizer: their ids, and the matching that splits them out of the text first. */
export class AddedVocabulary {
  private readonly tokensById = new Map<number, AddedToken>();
  private readonly idsByContent = new Map<string, number>();
  private rawMatcher = new Matcher([]);
  private normalizedMatcher = new Matcher([]);
  /** When true, special tokens' text is encoded as ordinary text. */
  encodeSpecialTokens = false;

  get size(): number {
    return this.tokensById.size;
  }

  tokenToId(content: string): number | undefined {
    return this.idsByContent.get(content);
  }

  idToToken(id: number): string | undefined {
    return this.tokensById.get(id)?.content;
  }

  getToken(id: number): AddedToken | undefined {
    return this.tokensById.get(id);
  }

  isSpecialToken(content: string): boolean {
    const id = this.idsByContent.get(content);
    return id !== undefined && this.tokensById.get(id)!.special;
  }

  isSpecialId(id: number): boolean {
    return this.tokensById.get(id)?.special ?? false;
  }

  /** All added tokens by id, in id order. */
  entries(): [number, AddedToken][] {
    return [...this.tokensById].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Adds tokens and returns how many are new. A token already in the model keeps its model id; a
   * new one takes the next id after the model's vocabulary and the added tokens (HF's rule).
   */
  addTokens(tokens: AddedToken[], model: Model, normalizer: Normalizer | undefined): number {
    let added = 0;
    for (const token of tokens) {
      if (token.content.length === 0) continue;
      const existing = this.idsByContent.get(token.content);
      if (existing !== undefined) {
        this.tokensById.set(existing, token);
        continue;
      }
      let id = model.tokenToId(token.content);
      if (id === undefined) {
        const vocabSize = model.getVocabSize();
        let max = -1;
        for (const k of this.tokensById.keys()) max = Math.max(max, k);
        id = max >= 0 && (max >= vocabSize || vocabSize === 0) ? max + 1 : vocabSize;
        added++;
      }
      this.tokensById.set(id, token);
      this.idsByContent.set(token.content, id);
    }
    this.refresh(normalizer);
    return added;
  }

  /** Puts a token at a given id (loading tokenizer.json). */
  setToken(id: number, token: AddedToken): void {
    const old = this.tokensById.get(id);
    if (old) this.idsByContent.delete(old.content);
    this.tokensById.set(id, token);
    this.idsByContent.set(token.content, id);
  }

  /** Rebuilds the matchers (after adding tokens or changing the normalizer). */
  refresh(normalizer: Normalizer | undefined): void {
    const raw: [string, number][] = [];
    const normalized: [string, number][] = [];
    for (const [id, t] of this.entries()) {
      if (t.normalized) {
        const ns = new NormalizedString(t.content);
        normalizer?.normalize(ns);
        normalized.push([ns.get(), id]);
      } else {
        raw.push([t.content, id]);
      }
    }
    this.rawMatcher = new Matcher(raw);
    this.normalizedMatcher = new Matcher(normalized);
  }

  /** Cuts `text` around the tokens of `matcher`: [start, end, id | undefined] ranges covering it. */
  private findMatches(text: string, matcher: Matcher): [number, number, number | undefined][] {
    const out: [number, number, number | undefined][] = [];
    const re = matcher.regex;
    if (!re || text.length === 0) return [[0, text.length, undefined]];
    let done = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      let start = m.index;
      let stop = start + m[0].length;
      const id = matcher.idOf.get(m[0])!;
      const token = this.tokensById.get(id)!;
      if (this.encodeSpecialTokens && token.special) continue;
      if (token.singleWord) {
        const before = start === 0 || !WORD_CHAR.test(lastChar(text.slice(0, start)));
        const after = stop === text.length || !WORD_CHAR.test(String.fromCodePoint(text.codePointAt(stop)!));
        if (!before || !after) continue;
      }
      if (token.lstrip) {
        let s = start;
        while (s > 0 && isWhitespace(text[s - 1]!)) s--;
        start = Math.max(s, done);
      }
      if (token.rstrip) {
        while (stop < text.length && isWhitespace(text[stop]!)) stop++;
        re.lastIndex = stop;
      }
      if (done < start) out.push([done, start, undefined]);
      out.push([start, stop, id]);
      done = stop;
    }
    if (done < text.length) out.push([done, text.length, undefined]);
    return out;
  }

  private splitWithTokens(s: NormalizedString, matcher: Matcher): Split[] {
    return this.findMatches(s.get(), matcher).map(([start, end, id]) => {
      const slice = s.slice(start, end);
      if (id === undefined) return { normalized: slice };
      return { normalized: slice, tokens: [{ id, value: slice.get(), offsets: [0, slice.length] }] };
    });
  }

  /** Whether some added token is matched in the normalized text (the fast paths split raw text only). */
  get hasNormalizedTokens(): boolean {
    return this.normalizedMatcher.regex !== undefined;
  }

  /** Whether any added token could match (lets callers skip the split). */
  get isEmpty(): boolean {
    return this.tokensById.size === 0;
  }

  /**
   * Splits out raw-matched tokens, normalizes the remaining pieces, then splits out the normalized
   * tokens (HF `extract_and_normalize`).
   */
  extractAndNormalize(normalizer: Normalizer | undefined, text: string): PreTokenizedString {
    const pts = new PreTokenizedString(text);
    if (this.rawMatcher.regex) pts.split((_, s) => this.splitWithTokens(s, this.rawMatcher));
    pts.split((_, s) => {
      normalizer?.normalize(s);
      return this.normalizedMatcher.regex ? this.splitWithTokens(s, this.normalizedMatcher) : [s];
    });
    return pts;
  }

  /**
   * `extractAndNormalize` for a pipeline without a normalizer, on a plain string: ranges of `text`
   * with the id of the added token there, or undefined for ordinary text.
   */
  splitPlain(text: string): [number, number, number | undefined][] {
    const out: [number, number, number | undefined][] = [];
    for (const r of this.findMatches(text, this.rawMatcher)) {
      if (r[2] !== undefined || !this.normalizedMatcher.regex) {
        if (r[1] > r[0]) out.push(r);
        continue;
      }
      const piece = text.slice(r[0], r[1]);
      for (const [s, e, id] of this.findMatches(piece, this.normalizedMatcher)) if (e > s) out.push([r[0] + s, r[0] + e, id]);
    }
    return out;
  }
}
