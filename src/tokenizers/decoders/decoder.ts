/** The decoder stage: turns a list of token strings back into text. */
import { Registry } from "../registry.js";

/** A decoder: tokens back to text pieces, the last stage of the pipeline. */
export interface Decoder {
  /** The `"type"` tag in tokenizer.json. */
  readonly type: string;
  /** Transforms the token strings; decoders chain (HF `decode_chain`), and the results are joined. */
  decodeChain(tokens: string[]): string[];
  /** The JSON object of this decoder, fields in the order Hugging Face writes them. */
  toJSON(): Record<string, unknown>;
}

/** `"type"` → reader for decoders; see decoders/index.ts for the built-in ones. */
export const decoderRegistry = new Registry<Decoder>("decoder");

/** Runs `decoder` over tokens and joins the pieces into the text. */
export function decode(decoder: Decoder, tokens: string[]): string {
  return decoder.decodeChain(tokens).join("");
}
