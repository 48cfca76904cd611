/** The post-processor stage: adds special tokens and type ids around one encoding or a pair. */
import { Encoding } from "../encoding.js";
import { Registry } from "../registry.js";

/** A post-processor: adds special tokens and type ids to encoded sequences (one or a pair). */
export interface PostProcessor {
  /** The `"type"` tag in tokenizer.json. */
  readonly type: string;
  /** How many tokens `process` adds to a single sequence or a pair (truncation leaves room for them). */
  addedTokens(isPair: boolean): number;
  /**
   * Processes the encodings of one input (one or two sequences, sequence ids already set) and returns
   * the parts to concatenate, HF `process_encodings`.
   */
  processEncodings(encodings: Encoding[], addSpecialTokens: boolean): Encoding[];
  /** The JSON object of this post-processor, fields in the order Hugging Face writes them. */
  toJSON(): Record<string, unknown>;
}

/** `"type"` → reader for post-processors; see processors/index.ts for the built-in ones. */
export const postProcessorRegistry = new Registry<PostProcessor>("post-processor");

/**
 * Runs `processor` (or, without one, just concatenates) on an encoding and its optional pair, HF
 * `PostProcessor::process`. Overflowing parts are processed the same way, each with the other sequence.
 * `encoding` and `pair` may be changed in place.
 */
export function postProcess(
  processor: PostProcessor | undefined,
  encoding: Encoding,
  pair: Encoding | undefined,
  addSpecialTokens: boolean,
): Encoding {
  const once = (a: Encoding, b: Encoding | undefined): Encoding => {
    // The inputs are the caller's fresh encodings; only parts with overflowing are copied.
    const own = (e: Encoding): Encoding => (e.overflowing.length === 0 ? e : e.withoutOverflowing());
    const parts = b ? [own(a), own(b)] : [own(a)];
    parts.forEach((p, i) => p.setSequenceId(i));
    const processed = processor ? processor.processEncodings(parts, addSpecialTokens) : parts;
    return Encoding.merge(processed, false);
  };
  const result = once(encoding, pair);
  const overflowing: Encoding[] = [];
  for (const o of encoding.overflowing) overflowing.push(once(o, pair));
  if (pair) for (const o of pair.overflowing) overflowing.push(once(encoding, o));
  result.overflowing = overflowing;
  return result;
}
