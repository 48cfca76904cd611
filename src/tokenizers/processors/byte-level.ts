/** {"type":"ByteLevel"} as a post-processor: trims byte-level offsets (when `trim_offsets`), adds nothing. */
import type { Encoding } from "../encoding.js";
import { withoutAbsent, type JsonObject, type JsonPath } from "../json.js";
import { readByteLevelOptions, type ByteLevelOptions } from "../pre_tokenizers/byte-level.js";
import type { PostProcessor } from "./post-processor.js";
import { trimByteLevelOffsets } from "./trim-offsets.js";

export class ByteLevelProcessor implements PostProcessor {
  readonly type = "ByteLevel";
  readonly addPrefixSpace: boolean;
  readonly trimOffsets: boolean;
  readonly useRegex: boolean;
  private readonly absentKeys: string[] | undefined;
  constructor(options: ByteLevelOptions = {}) {
    this.absentKeys = options.absentKeys;
    this.addPrefixSpace = options.addPrefixSpace ?? true;
    this.trimOffsets = options.trimOffsets ?? true;
    this.useRegex = options.useRegex ?? true;
  }
  addedTokens(): number {
    return 0;
  }
  processEncodings(encodings: Encoding[]): Encoding[] {
    if (this.trimOffsets) for (const e of encodings) trimByteLevelOffsets(e, this.addPrefixSpace);
    return encodings;
  }
  toJSON(): Record<string, unknown> {
    const json = { type: this.type, add_prefix_space: this.addPrefixSpace, trim_offsets: this.trimOffsets, use_regex: this.useRegex };
    return withoutAbsent(json, this.absentKeys);
  }
  static fromJSON(json: JsonObject, at: JsonPath): ByteLevelProcessor {
    return new ByteLevelProcessor(readByteLevelOptions(json, at));
  }
}
