/**
 * Text in, text out: `generateText` returns the continuation of a prompt as a string, `streamText`
 * yields it in pieces as tokens are decoded.
 *
 * Decoding: the continuation is decoded together with the last few prompt tokens and that prefix's text
 * is cut off, so decoders that treat the first token specially (SentencePiece's leading "▁", WordPiece's
 * "##") still put the right space between prompt and continuation. A stream never emits a trailing
 * U+FFFD (a byte-level token that ends inside a multi-byte UTF-8 character decodes to one until the next
 * token completes it) nor a suffix that may be the start of a stop sequence; what is held back is
 * emitted at the end. Stop sequences end generation and are not part of the text.
 */
import { ValueError } from "../errors.js";
import { generate, generateTokens } from "./generate.js";
import type { CausalLanguageModel } from "./language-model.js";
import type { GenerateOptions } from "./options.js";
import { findStopSequence, pendingStopPrefix } from "./stop-sequences.js";

/** The tokenizer surface text generation uses (loom's `Tokenizer` fits). */
export interface TextTokenizer {
  encodeIds(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
}

/** {@link GenerateOptions} plus what text generation adds: stop strings and special-token handling. */
export interface TextGenerateOptions extends GenerateOptions {
  /** Strings that end generation; the text is cut before the first one. */
  stopSequences?: readonly string[];
  /** Run the tokenizer's post-processor on the prompt (e.g. BERT's [CLS]/[SEP]). Default false. */
  addSpecialTokens?: boolean;
  /** Leave special tokens out of the decoded text. Default true. */
  skipSpecialTokens?: boolean;
}

/** GPT-2's document separator: the default stop id (when stopIds is not given and the model's vocabulary
 *  has it), and the prompt of an unconditional sample. */
export const END_OF_TEXT = "<|endoftext|>";
/** Prompt tokens decoded with the continuation to give its first token the right context. */
const ANCHOR_TOKENS = 4;

interface PreparedPrompt {
  ids: number[];
  options: GenerateOptions;
  stops: readonly string[];
  decodeContinuation: (generated: readonly number[]) => string;
}

function prepare(model: CausalLanguageModel, tokenizer: TextTokenizer, prompt: string, options: TextGenerateOptions): PreparedPrompt {
  const eot = tokenizer.tokenToId(END_OF_TEXT);
  const endOfText = eot !== undefined && eot < model.config.vocab_size ? eot : undefined;
  let ids = tokenizer.encodeIds(prompt, { addSpecialTokens: options.addSpecialTokens ?? false });
  if (ids.length === 0) {
    if (endOfText === undefined) throw new ValueError(`generateText: the prompt is empty and the tokenizer has no ${END_OF_TEXT} to start from`);
    ids = [endOfText]; // GPT-2's unconditional samples start from <|endoftext|>
  }
  const { stopSequences, addSpecialTokens: _a, skipSpecialTokens: _s, ...rest } = options;
  const generateOptions: GenerateOptions = { ...rest, stopIds: options.stopIds ?? (endOfText !== undefined ? [endOfText] : []) };
  const decodeOptions = { skipSpecialTokens: options.skipSpecialTokens ?? true };
  const anchor = ids.slice(-ANCHOR_TOKENS);
  const anchorText = tokenizer.decode(anchor, decodeOptions);
  const decodeContinuation = (generated: readonly number[]): string => {
    const text = tokenizer.decode([...anchor, ...generated], decodeOptions);
    return text.startsWith(anchorText) ? text.slice(anchorText.length) : tokenizer.decode(generated, decodeOptions);
  };
  return { ids, options: generateOptions, stops: stopSequences ?? [], decodeContinuation };
}

function cutAtStop(text: string, stops: readonly string[]): string {
  const i = findStopSequence(text, stops);
  return i >= 0 ? text.slice(0, i) : text;
}

/** The text pieces of a continuation, synchronously (what `streamText` yields). */
export function* textPieces(model: CausalLanguageModel, tokenizer: TextTokenizer, prompt: string, options: TextGenerateOptions = {}): Generator<string, void, undefined> {
  const p = prepare(model, tokenizer, prompt, options);
  if ((options.numBeams ?? 1) > 1) {
    const text = cutAtStop(p.decodeContinuation(generate(model, p.ids, p.options)), p.stops);
    if (text.length > 0) yield text;
    return;
  }
  const longestStop = Math.max(0, ...p.stops.map((s) => s.length));
  const generated: number[] = [];
  let emitted = 0;
  for (const id of generateTokens(model, p.ids, p.options)) {
    generated.push(id);
    const text = p.decodeContinuation(generated);
    const stop = findStopSequence(text, p.stops, emitted - longestStop);
    if (stop >= 0) {
      if (stop > emitted) yield text.slice(emitted, stop);
      return; // leaving the loop closes generateTokens, which stops generation
    }
    let safe = text.length - pendingStopPrefix(text, p.stops);
    while (safe > emitted && text[safe - 1] === "\uFFFD") safe--;
    if (safe > emitted) {
      yield text.slice(emitted, safe);
      emitted = safe;
    }
  }
  const rest = cutAtStop(p.decodeContinuation(generated), p.stops).slice(emitted);
  if (rest.length > 0) yield rest;
}

/** The generated continuation of `prompt` as text (the prompt is not repeated). */
export function generateText(model: CausalLanguageModel, tokenizer: TextTokenizer, prompt: string, options: TextGenerateOptions = {}): string {
  return [...textPieces(model, tokenizer, prompt, options)].join("");
}

/**
 * The continuation of `prompt` as text pieces, yielded as tokens are generated; their concatenation is
 * `generateText`'s result. Yields to the event loop after each piece so output can be written as it
 * comes. Breaking out of the loop stops generation.
 */
export async function* streamText(model: CausalLanguageModel, tokenizer: TextTokenizer, prompt: string, options: TextGenerateOptions = {}): AsyncGenerator<string, void, undefined> {
  for (const piece of textPieces(model, tokenizer, prompt, options)) {
    yield piece;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
