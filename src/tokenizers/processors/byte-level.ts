/** {"type":"ByteLevel"} as a post-processor: trims byte-level offsets (when `trim_offsets`), adds nothing. */
import type { Encoding } from "../encoding.js";
import type { JsonObject, JsonPath } from "../json.js";
import { readByteLevelOptions } from "../pre_tokenizers/byte-level.js";
import { ByteLevelSettings } from "../byte-level-settings.js";
import type { PostProcessor } from "./post-processor.js";
import { trimByteLevelOffsets } from "./trim-offsets.js";

/** {"type":"ByteLevel"} post-processor: trims spaces out of token offsets. */
export class ByteLevelProcessor extends ByteLevelSettings implements PostProcessor {
  addedTokens(): number {
    return 0;
  }
  processEncodings(encodings: Encoding[]): Encoding[] {
    if (this.trimOffsets) for (const e of encodings) trimByteLevelOffsets(e, this.addPrefixSpace);
    return encodings;
  }
  static fromJSON(json: JsonObject, at: JsonPath): ByteLevelProcessor {
    return new ByteLevelProcessor(readByteLevelOptions(json, at));
  }
}
