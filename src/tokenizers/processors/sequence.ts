/** {"type":"Sequence","processors":[…]}: post-processors applied in order. */
import type { Encoding } from "../encoding.js";
import { getArray, type JsonObject, type JsonPath } from "../json.js";
import { postProcessorRegistry, type PostProcessor } from "./post-processor.js";

/** {"type":"Sequence"}: runs several post-processors in order. */
export class PostProcessorSequence implements PostProcessor {
  readonly type = "Sequence";
  constructor(readonly processors: PostProcessor[]) {}
  addedTokens(isPair: boolean): number {
    return this.processors.reduce((n, p) => n + p.addedTokens(isPair), 0);
  }
  processEncodings(encodings: Encoding[], addSpecialTokens: boolean): Encoding[] {
    let out = encodings;
    for (const p of this.processors) out = p.processEncodings(out, addSpecialTokens);
    return out;
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, processors: this.processors.map((p) => p.toJSON()) };
  }
  static fromJSON(json: JsonObject, at: JsonPath): PostProcessorSequence {
    return new PostProcessorSequence(getArray(json, "processors", at).map((p, i) => postProcessorRegistry.fromJSON(p, at.key("processors").index(i))));
  }
}
