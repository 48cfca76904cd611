/**
 * SentencePiece-style whitespace handling: every " " becomes the replacement character "▁" (U+2581),
 * a "▁" is put in front of the text (always, only for the first piece of the input, or never), and
 * the text is split before each "▁" so every word keeps its leading "▁" (Hugging Face `Metaspace`).
 *
 * tokenizer.json: `{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}`.
 */
import { asBoolean, asString, getString, optional, type JsonObject, type JsonPath } from "../json.js";
import type { PreTokenizedString } from "../pre-tokenized-string.js";
import type { PreTokenizer } from "./pre-tokenizer.js";
import { ValueError } from "../../errors.js";

/** When Metaspace prepends "▁" to the text: always, to the first piece only, or never. */
export type PrependScheme = "always" | "first" | "never";

/** Options of the Metaspace pre-tokenizer and decoder: the replacement character, the prepend scheme, splitting. */
export interface MetaspaceOptions {
  /** One character that stands for a space; "▁" by default. */
  replacement?: string;
  prependScheme?: PrependScheme;
  /** Split before each replacement character (true), or keep the piece whole. */
  split?: boolean;
}

/**
 * The settings shared by the Metaspace pre-tokenizer and decoder: HF gives both the same
 * `replacement`, `prepend_scheme` and `split` fields, so they share one base for the fields, their
 * defaults and their JSON.
 */
export abstract class MetaspaceSettings {
  readonly type = "Metaspace";
  readonly replacement: string;
  readonly prependScheme: PrependScheme;
  readonly split: boolean;

  constructor(options: MetaspaceOptions = {}) {
    this.replacement = options.replacement ?? "\u2581";
    this.prependScheme = options.prependScheme ?? "always";
    this.split = options.split ?? true;
  }

  toJSON(): Record<string, unknown> {
    return { type: this.type, replacement: this.replacement, prepend_scheme: this.prependScheme, split: this.split };
  }
}

/** {"type":"Metaspace"}: replaces spaces with "▁" and splits before each, as SentencePiece does. */
export class Metaspace extends MetaspaceSettings implements PreTokenizer {
  constructor(options: MetaspaceOptions = {}) {
    super(options);
    if ([...this.replacement].length !== 1) {
      throw new ValueError(`Metaspace: replacement must be one character, got ${JSON.stringify(this.replacement)}`);
    }
  }

  preTokenize(pts: PreTokenizedString): void {
    pts.split((_, s) => {
      // A one-for-one character swap: `map` rewrites the string once, where `replace` would splice
      // it at every space (quadratic on a long line); the alignments come out the same.
      const replacement = this.replacement;
      if (s.get().includes(" ")) s.map((c) => (c === " " ? replacement : c));
      const startsWithReplacement = s.get().startsWith(this.replacement);
      if (
        !startsWithReplacement &&
        (this.prependScheme === "always" || (this.prependScheme === "first" && s.offsetsOriginal()[0] === 0))
      ) {
        s.prepend(this.replacement);
      }
      return this.split ? s.split(this.replacement, "MergedWithNext") : [s];
    });
  }

  /**
   * `preTokenize` on a plain string that begins the input (so "first" prepends as "always"); the
   * pieces start before each replacement character (MergedWithNext).
   */
  preTokenizeString(text: string): string[] {
    const r = this.replacement;
    let s = text.includes(" ") ? text.replaceAll(" ", r) : text;
    if (s.length > 0 && !s.startsWith(r) && this.prependScheme !== "never") s = r + s;
    if (!this.split) return s.length > 0 ? [s] : [];
    const pieces: string[] = [];
    let start = 0;
    for (let i = s.indexOf(r, 1); i >= 0; i = s.indexOf(r, i + r.length)) {
      if (i > start) pieces.push(s.slice(start, i));
      start = i;
    }
    if (start < s.length) pieces.push(s.slice(start));
    return pieces;
  }

  static fromJSON(json: JsonObject, at: JsonPath): Metaspace {
    return new Metaspace(readMetaspaceOptions(json, at));
  }
}

/**
 * Reads the fields shared by the Metaspace pre-tokenizer and decoder, accepting the older
 * `add_prefix_space` (true = "always", false = "never") where `prepend_scheme` is absent.
 */
export function readMetaspaceOptions(json: JsonObject, at: JsonPath): MetaspaceOptions {
  const replacement = getString(json, "replacement", at);
  let prependScheme = optional(json, "prepend_scheme", at, asString);
  if (prependScheme === undefined) {
    const addPrefixSpace = optional(json, "add_prefix_space", at, asBoolean);
    prependScheme = addPrefixSpace === false ? "never" : "always";
  }
  if (prependScheme !== "always" && prependScheme !== "first" && prependScheme !== "never") {
    throw at.key("prepend_scheme").error(`expected "always", "first" or "never", got ${JSON.stringify(prependScheme)}`);
  }
  const split = optional(json, "split", at, asBoolean) ?? true;
  if ([...replacement].length !== 1) throw at.key("replacement").error("expected one character");
  return { replacement, prependScheme, split };
}
