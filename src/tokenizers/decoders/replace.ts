/** {"type":"Replace","pattern":…,"content":…} decoder: replaces matches in each token (e.g. "▁" → " "). */
import { getString, type JsonObject, type JsonPath } from "../json.js";
import { readJsonPattern } from "../normalizers/replace.js";
import { patternFromJSON, type JsonPattern } from "../regex.js";
import type { Decoder } from "./decoder.js";

/** {"type":"Replace"}: replaces a pattern in each token. */
export class ReplaceDecoder implements Decoder {
  readonly type = "Replace";
  private readonly compiled: string | RegExp;
  constructor(
    readonly pattern: JsonPattern,
    readonly content: string,
  ) {
    this.compiled = patternFromJSON(pattern);
  }
  decodeChain(tokens: string[]): string[] {
    const c = this.compiled;
    return tokens.map((t) => (typeof c === "string" ? t.split(c).join(this.content) : t.replace(c, this.content)));
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, pattern: { ...this.pattern }, content: this.content };
  }
  static fromJSON(json: JsonObject, at: JsonPath): ReplaceDecoder {
    return new ReplaceDecoder(readJsonPattern(json, at), getString(json, "content", at));
  }
}
