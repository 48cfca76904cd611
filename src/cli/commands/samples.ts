/** The samples `loom train` prints at the end: fixed prompts, seeded, so runs can be compared. */
import { generateText } from "../../generate/index.js";
import type { LanguageModel } from "../../train/checkpoint.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

export const SAMPLE_PROMPTS = ["Mr. Speaker, Mr. Vice President,", "The state of our Union is", "Our Nation"];

export function printSamples(model: LanguageModel, tokenizer: Tokenizer, count: number, maxTokens: number, seed: number): void {
  for (let i = 0; i < count; i++) {
    const prompt = SAMPLE_PROMPTS[i % SAMPLE_PROMPTS.length] as string;
    const text = generateText(model, tokenizer, prompt, { maxNewTokens: maxTokens, temperature: 0.8, topK: 50, seed: seed + i });
    console.log(`\n--- sample ${i + 1} ---\n${prompt}${text}`);
  }
}
