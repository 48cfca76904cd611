/**
 * Generation throughput: tokens/s with and without the KV cache for the TINY GPT (4 layers, 4 heads,
 * n_embd 128, block 128, vocab 96), greedy from a 16-token prompt to 128 tokens (112 new), on the active
 * backend (LOOM_BACKEND). Peak RSS is the process's high-water mark after each row, so it is cumulative.
 */
import { getBackend, manualSeed } from "../src/index.js";
import { GPT } from "../src/models/gpt/index.js";
import { generate } from "../src/generate/index.js";
import { printTable, timeIt } from "./table.js";

const TINY = { vocab_size: 96, n_positions: 128, n_embd: 128, n_layer: 4, n_head: 4 };
const PROMPT_LENGTH = 16;
const NEW_TOKENS = 128 - PROMPT_LENGTH;

export async function run(): Promise<void> {
  manualSeed(0);
  const model = new GPT(TINY);
  model.eval();
  const prompt = Array.from({ length: PROMPT_LENGTH }, (_, i) => (i * 37) % TINY.vocab_size);
  const rows: (string | number)[][] = [];
  const results: number[][] = [];
  for (const useCache of [true, false]) {
    let out: number[] = [];
    const seconds = timeIt(() => {
      out = generate(model, prompt, { maxNewTokens: NEW_TOKENS, temperature: 0, useCache });
    }, useCache ? 3 : 1, useCache ? 1 : 0);
    results.push(out);
    const maxRssMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    rows.push([useCache ? "KV cache" : "no cache (recompute window)", out.length / seconds, seconds * 1000, maxRssMiB]);
  }
  const [cachedRow, uncachedRow] = rows as [(string | number)[], (string | number)[]];
  printTable(["generation (TINY, 16 → 128 tokens, greedy)", "tokens/s", "ms per sequence", "peak RSS so far (MiB)"], rows);
  console.log(`\nbackend: ${getBackend().constructor.name}; KV cache speed-up ×${((cachedRow[1] as number) / (uncachedRow[1] as number)).toFixed(2)}; same tokens: ${JSON.stringify(results[0]) === JSON.stringify(results[1])}`);
  await Promise.resolve();
}
