/**
 * Compares loom's Unigram trainer with SentencePiece's (`spm_train --model_type=unigram`) on the
 * bundled State of the Union corpus: both train at the same vocabulary size on every address but the
 * last 24 (files in name order), and both encode those 24 held-out addresses; the figure is tokens per
 * UTF-8 byte of the held-out text (lower compresses better). When loom's BpeTrainer is present
 * (src/tokenizers/models/bpe/trainer.ts), it is compared with `spm_train --model_type=bpe` the same way.
 *
 * Both sides see the same text through the same pipeline: loom loads the model spm_train wrote with
 * `Tokenizer.fromSentencePiece` (nmt_nfkc Precompiled normalizer, whitespace collapsing, Metaspace),
 * checks that it encodes the held-out text to exactly as many tokens as spm_encode, then retrains that
 * tokenizer's model with its own trainer.
 *
 *   node --import tsx scripts/compare-spm.ts [--vocab 8000] [--heldout 24]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Tokenizer } from "../src/tokenizers/tokenizer.js";
import { UnigramTrainer } from "../src/tokenizers/models/unigram/trainer.js";
import { Metaspace } from "../src/tokenizers/pre_tokenizers/metaspace.js";
import type { Trainer } from "../src/tokenizers/trainers/trainer.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const vocabSize = option("vocab", 8000);
const heldOutCount = option("heldout", 24);
const root = join(import.meta.dirname, "..");
const corpusDir = join(root, "node_modules", "@stdlib", "datasets-sotu", "data");
const files = readdirSync(corpusDir).filter((f) => f.endsWith(".txt")).sort();
const trainFiles = files.slice(0, files.length - heldOutCount).map((f) => join(corpusDir, f));
const heldOutFiles = files.slice(files.length - heldOutCount).map((f) => join(corpusDir, f));
// One address per line, for spm_train and spm_encode (which read lines); loom reads the same lines.
const oneLine = (path: string): string => readFileSync(path, "utf8").replace(/[\r\n]+/g, " ").trim();
const heldOutLines = heldOutFiles.map(oneLine);
const heldOutBytes = heldOutLines.reduce((n, text) => n + Buffer.byteLength(text, "utf8"), 0);

const work = mkdtempSync(join(tmpdir(), "loom-compare-spm-"));
const seconds = (since: number): number => (performance.now() - since) / 1000;
const countTokens = (tokenizer: Tokenizer): number => heldOutLines.reduce((n, line) => n + tokenizer.encode(line).ids.length, 0);
const report = (name: string, tokens: number, trainSeconds: number): void =>
  console.log(`  ${name.padEnd(24)} ${String(tokens).padStart(7)} tokens  ${(tokens / heldOutBytes).toFixed(5)} tokens/byte  trained in ${trainSeconds.toFixed(1)} s`);

async function compare(modelType: "unigram" | "bpe", makeTrainer: () => Trainer): Promise<void> {
  const trainPath = join(work, "train.txt");
  const heldOutPath = join(work, "heldout.txt");
  const prefix = join(work, `spm-${modelType}`);
  let t0 = performance.now();
  const spm = spawnSync(
    "spm_train",
    [`--input=${trainPath}`, `--model_prefix=${prefix}`, `--model_type=${modelType}`, `--vocab_size=${vocabSize}`,
      "--max_sentence_length=1000000", "--num_threads=2", "--minloglevel=1"],
    { encoding: "utf8" },
  );
  if (spm.status !== 0) throw new Error(`spm_train failed: ${spm.stderr}`);
  const spmSeconds = seconds(t0);
  const encoded = spawnSync("spm_encode", [`--model=${prefix}.model`, "--output_format=id", `--input=${heldOutPath}`], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (encoded.status !== 0) throw new Error(`spm_encode failed: ${encoded.stderr}`);
  const spmTokens = encoded.stdout.split(/\s+/).filter((s) => s.length > 0).length;

  const loaded = Tokenizer.fromSentencePiece(`${prefix}.model`);
  const loadedTokens = countTokens(loaded);

  t0 = performance.now();
  const tokenizer = Tokenizer.fromSentencePiece(`${prefix}.model`);
  const trainer = makeTrainer();
  let lastLine = "";
  trainer.onProgress = (p) => {
    const line = `${p.stage} ${p.done}/${p.total}`;
    if (line !== lastLine && (p.done === p.total || p.stage !== lastLine.split(" ")[0])) {
      process.stderr.write(`    loom ${trainer.type}: ${line} (${seconds(t0).toFixed(1)} s)\n`);
    }
    lastLine = line;
  };
  // spm_train splits sentences at whitespace while training; a unigram .model's pipeline keeps a
  // sentence whole (Metaspace split: false) only to encode it as libsentencepiece does.
  const encodePreTokenizer = tokenizer.preTokenizer;
  if (encodePreTokenizer instanceof Metaspace && !encodePreTokenizer.split) {
    tokenizer.preTokenizer = new Metaspace({ replacement: encodePreTokenizer.replacement, prependScheme: encodePreTokenizer.prependScheme, split: true });
  }
  await tokenizer.train(trainFiles, trainer);
  tokenizer.preTokenizer = encodePreTokenizer;
  const loomSeconds = seconds(t0);
  const loomTokens = countTokens(tokenizer);

  console.log(`${modelType}, vocab ${vocabSize}:`);
  report(`spm_train ${modelType}`, spmTokens, spmSeconds);
  report(`loom ${trainer.type}`, loomTokens, loomSeconds);
  console.log(`  spm's model loaded in loom: ${loadedTokens} tokens (${loadedTokens === spmTokens ? "identical to" : "DIFFERS from"} spm_encode)`);
  const ratio = loomTokens / spmTokens;
  console.log(`  loom / spm = ${ratio.toFixed(4)} (${((ratio - 1) * 100).toFixed(2)}%)`);
}

try {
  writeFileSync(join(work, "train.txt"), trainFiles.map(oneLine).join("\n") + "\n");
  writeFileSync(join(work, "heldout.txt"), heldOutLines.join("\n") + "\n");
  console.log(`corpus: ${trainFiles.length} addresses for training; ${heldOutFiles.length} held out, ${heldOutBytes} bytes`);
  const specialTokens = ["<unk>", "<s>", "</s>"];
  await compare("unigram", () => new UnigramTrainer({ vocabSize, specialTokens, unkToken: "<unk>" }));

  // The BPE trainer belongs to another part of loom; it is compared only where it exists.
  const bpeTrainerPath = join(root, "src", "tokenizers", "models", "bpe", "trainer.ts");
  if (existsSync(bpeTrainerPath)) {
    const bpe = (await import(pathToFileURL(bpeTrainerPath).href)) as {
      BpeTrainer?: new (options: { vocabSize: number; specialTokens: string[] }) => Trainer;
    };
    if (bpe.BpeTrainer) {
      const BpeTrainer = bpe.BpeTrainer;
      await compare("bpe", () => new BpeTrainer({ vocabSize, specialTokens }));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
