/** {"type":"Sequence","decoders":[…]}: decoders chained, each on the previous one's output tokens. */
import { getArray, type JsonObject, type JsonPath } from "../json.js";
import { decoderRegistry, type Decoder } from "./decoder.js";

/** {"type":"Sequence"}: runs several decoders in order. */
export class DecoderSequence implements Decoder {
  readonly type = "Sequence";
  constructor(readonly decoders: Decoder[]) {}
  decodeChain(tokens: string[]): string[] {
    let out = tokens;
    for (const d of this.decoders) out = d.decodeChain(out);
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, decoders: this.decoders.map((d) => d.toJSON()) };
  }
  static fromJSON(json: JsonObject, at: JsonPath): DecoderSequence {
    return new DecoderSequence(getArray(json, "decoders", at).map((d, i) => decoderRegistry.fromJSON(d, at.key("decoders").index(i))));
  }
}
