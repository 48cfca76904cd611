/** {"type":"Strip","content":" ","start":n,"stop":m}: removes up to n leading and m trailing `content` characters from each token. */
import { getInteger, getString, type JsonObject, type JsonPath } from "../json.js";
import type { Decoder } from "./decoder.js";

/** {"type":"Strip"}: removes a given character from the start and end of each token. */
export class StripDecoder implements Decoder {
  readonly type = "Strip";
  constructor(
    readonly content: string,
    readonly start: number,
    readonly stop: number,
  ) {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token) => {
      const chars = [...token];
      let from = 0;
      while (from < this.start && from < chars.length && chars[from] === this.content) from++;
      let to = chars.length;
      while (chars.length - to < this.stop && to > 0 && chars[to - 1] === this.content) to--;
      return from >= to ? "" : chars.slice(from, to).join("");
    });
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, content: this.content, start: this.start, stop: this.stop };
  }
  static fromJSON(json: JsonObject, at: JsonPath): StripDecoder {
    return new StripDecoder(getString(json, "content", at), getInteger(json, "start", at), getInteger(json, "stop", at));
  }
}
