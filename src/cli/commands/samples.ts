/**
 * The samples `loom train` prints at the end, seeded so runs can be compared. Their prompts are the
 * opening words of the run's own validation documents (any corpus, chat transcripts included), not
 * fixed phrases that only suit one corpus.
 */
import { generateText } from "../../generate/index.js";
import type { LanguageModel } from "../../train/checkpoint.js";
import { loadTokenStream } from "../../train/dataset.js";
import { endOfTextId } from "../../train/tokenizer-setup.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

/** Words of a document's first line that make a prompt. */
const PROMPT_WORDS = 4;
/** Tokens of each document decoded to find its opening line. */
const OPENING_TOKENS = 48;

/**
 * Up to `count` prompts from a token stream of documents separated by `<|endoftext|>`: the first
 * words of the first line of each document, then of further lines when there are fewer documents.
 */
export function openingPrompts(tokenizer: Tokenizer, tokens: ArrayLike<number>, count: number): string[] {
  const eot = endOfTextId(tokenizer);
  const lines: string[] = [];
  const later: string[] = [];
  let start = 0;
  const limit = Math.min(tokens.length, 200_000);
  while (start < limit && lines.length < count) {
    let end = start;
    while (end < limit && tokens[end] !== eot) end++;
    const ids = Array.from({ length: Math.min(end - start, OPENING_TOKENS * 4) }, (_, i) => tokens[start + i] as number);
    const docLines = tokenizer.decode(ids, { skipSpecialTokens: false }).split("\n").map((l) => l.trim()).filter((l) => l !== "");
    // A chat transcript opens with a role marker line (`<|user|>`): keep it with the words after it.
    const marker = docLines[0] !== undefined && /^<\|\w+\|>$/.test(docLines[0]) && docLines[1] !== undefined;
    const first = marker ? `${docLines[0]}\n${words(docLines[1] as string)}` : docLines[0];
    if (first !== undefined) lines.push(first);
    later.push(...docLines.slice(marker ? 2 : 1).map(words));
    start = end + 1;
  }
  return [...lines.map((l) => (l.includes("\n") ? l : words(l))), ...later].slice(0, count);
}

function words(line: string): string {
  return line.split(/\s+/).slice(0, PROMPT_WORDS).join(" ");
}

/**
 * Prints `count` samples of `maxTokens` tokens. The prompts come from `runDir`'s cached validation
 * stream; without one, each sample starts a new document (empty prompt).
 */
export function printSamples(model: LanguageModel, tokenizer: Tokenizer, count: number, maxTokens: number, seed: number, runDir?: string): void {
  const stream = runDir === undefined ? null : loadTokenStream(runDir, "validation");
  const prompts = stream === null ? [] : openingPrompts(tokenizer, stream.tokens, count);
  for (let i = 0; i < count; i++) {
    const prompt = prompts.length > 0 ? (prompts[i % prompts.length] as string) : "";
    const text = generateText(model, tokenizer, prompt, { maxNewTokens: maxTokens, temperature: 0.8, topK: 50, seed: seed + i });
    console.log(`\n--- sample ${i + 1} ---\n${prompt}${text}`);
  }
}
