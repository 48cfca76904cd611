/**
 * Compares loom's Unigram trainer with SentencePiece's (`spm_train --model_type=unigram`) on the
 * bundled State of the Union corpus: both train at the same vocabulary size on every address but the
 * last 24 (files in name order), and both encode those 24 held-out addresses; the figure is tokens per
 * UTF-8 byte of the held-out text (lower compresses better).
 *
 * Both see the same text: spm_train's own nmt_nfkc normalisation, and on loom's side the Precompiled
 * normalizer read from the charsmap of the model spm_train wrote, then SentencePiece's whitespace rules
 * (collapse runs of spaces, "▁" before each word).
 *
 *   node --import tsx scripts/compare-spm.ts [--vocab 8000] [--heldout 24]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Precompiled } from "../src/tokenizers/normalizers/precompiled.js";
import type { Model } from "../src/tokenizers/models/model.js";
import { UnigramTrainer } from "../src/tokenizers/models/unigram/trainer.js";
import { parseModelProto } from "../src/tokenizers/sentencepiece/model-proto.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const vocabSize = option("vocab", 8000);
const heldOutCount = option("heldout", 24);
const corpusDir = join(import.meta.dirname, "..", "node_modules", "@stdlib", "datasets-sotu", "data");
const files = readdirSync(corpusDir).filter((f) => f.endsWith(".txt")).sort();
const trainFiles = files.slice(0, files.length - heldOutCount);
const heldOutFiles = files.slice(files.length - heldOutCount);
const read = (f: string): string => readFileSync(join(corpusDir, f), "utf8");
const heldOut = heldOutFiles.map(read);
const heldOutBytes = heldOut.reduce((n, text) => n + Buffer.byteLength(text, "utf8"), 0);

const work = mkdtempSync(join(tmpdir(), "loom-compare-spm-"));
try {
  const trainPath = join(work, "train.txt");
  writeFileSync(trainPath, trainFiles.map((f) => read(f).replace(/\n+/g, " ").trim()).join("\n") + "\n");
  const heldOutPath = join(work, "heldout.txt");
  writeFileSync(heldOutPath, heldOut.map((t) => t.replace(/\n+/g, " ").trim()).join("\n") + "\n");
  console.log(`corpus: ${trainFiles.length} addresses for training, ${heldOutFiles.length} held out (${heldOutBytes} bytes), vocab ${vocabSize}`);

  // --- SentencePiece ---
  let t0 = performance.now();
  const spm = spawnSync(
    "spm_train",
    [
      `--input=${trainPath}`,
      `--model_prefix=${join(work, "spm")}`,
      "--model_type=unigram",
      `--vocab_size=${vocabSize}`,
      "--max_sentence_length=1000000",
      "--num_threads=2",
      "--minloglevel=1",
    ],
    { encoding: "utf8" },
  );
  if (spm.status !== 0) throw new Error(`spm_train failed: ${spm.stderr}`);
  const spmSeconds = (performance.now() - t0) / 1000;
  const enc = spawnSync("spm_encode", [`--model=${join(work, "spm.model")}`, "--output_format=id", `--input=${heldOutPath}`], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (enc.status !== 0) throw new Error(`spm_encode failed: ${enc.stderr}`);
  const spmTokens = enc.stdout.split(/\s+/).filter((s) => s.length > 0).length;

  // --- loom ---
  const proto = parseModelProto(readFileSync(join(work, "spm.model")), "spm.model");
  const normalizer = new Precompiled(proto.normalizerSpec.precompiledCharsmap);
  const words = (text: string): string[] =>
    normalizer
      .normalizeString(text)
      .split(" ")
      .filter((w) => w.length > 0)
      .map((w) => "\u2581" + w);
  t0 = performance.now();
  const trainer = new UnigramTrainer({ vocabSize, specialTokens: ["<unk>", "<s>", "</s>"], unkToken: "<unk>" });
  let lastStage = "";
  trainer.onProgress = (p) => {
    const line = `${p.stage} ${p.done}/${p.total}`;
    if (line !== lastStage) process.stderr.write(`  loom: ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    lastStage = line;
  };
  for (const f of trainFiles) for (const line of read(f).split("\n")) trainer.feed(words(line));
  const model = trainer.train();
  const loomSeconds = (performance.now() - t0) / 1000;
  const count = (m: Model): number => {
    let n = 0;
    for (const text of heldOut) for (const line of text.split("\n")) for (const w of words(line)) n += m.tokenize(w).length;
    return n;
  };
  const loomTokens = count(model);

  const report = (name: string, tokens: number, seconds: number): void =>
    console.log(`${name.padEnd(22)} ${tokens} tokens, ${(tokens / heldOutBytes).toFixed(5)} tokens/byte, trained in ${seconds.toFixed(1)} s`);
  report("spm_train unigram", spmTokens, spmSeconds);
  report("loom UnigramTrainer", loomTokens, loomSeconds);
  const ratio = loomTokens / spmTokens;
  console.log(`loom / spm = ${ratio.toFixed(4)} (${((ratio - 1) * 100).toFixed(2)}%; the target is within ±2%)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
