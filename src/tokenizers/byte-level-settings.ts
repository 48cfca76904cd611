/**
 * The settings shared by the three ByteLevel components of a tokenizer.json (pre-tokenizer, decoder,
 * post-processor): HF gives each the same `add_prefix_space`, `trim_offsets` and `use_regex` fields,
 * so they share one base for the fields, their defaults and their JSON.
 */
import { withoutAbsent } from "./json.js";

/** Options shared by the byte-level pre-tokenizer, decoder and post-processor: prefix space, offset trimming, the GPT-2 regex. */
export interface ByteLevelOptions {
  addPrefixSpace?: boolean;
  trimOffsets?: boolean;
  useRegex?: boolean;
  /** Optional keys the source JSON lacked (left out again when written). */
  absentKeys?: string[];
}

export abstract class ByteLevelSettings {
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

  toJSON(): Record<string, unknown> {
    const json = { type: this.type, add_prefix_space: this.addPrefixSpace, trim_offsets: this.trimOffsets, use_regex: this.useRegex };
    return withoutAbsent(json, this.absentKeys);
  }
}
