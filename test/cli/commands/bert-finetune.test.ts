// `loom bert finetune` and `loom classify` from the command line: a tiny run on labelled .jsonl data
// that `classify` then uses (arguments, --file, standard input, --json), and every user mistake as one
// `loom:` line with no stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticExamples, writeJsonl } from "../../train/classification/helpers.js";

const main = new URL("../../../src/cli/main.ts", import.meta.url).pathname;
const tsx = import.meta.resolve("tsx");
const dir = mkdtempSync(join(tmpdir(), "loom-finetune-cli-"));
writeJsonl(join(dir, "train.jsonl"), syntheticExamples(600, 1));
writeJsonl(join(dir, "test.jsonl"), syntheticExamples(100, 2));
writeFileSync(join(dir, "notes.txt"), "not labelled");
writeFileSync(join(dir, "one-class.jsonl"), '{"text":"a","label":"x"}\n{"text":"b","label":"x"}\n');
mkdirSync(join(dir, "empty"));

function loom(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", tsx, main, ...args], { encoding: "utf8", cwd: dir, ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ["--tokenizer", "wordpiece:120", "--batch-size", "16", "--layers", "1", "--hidden-size", "32", "--heads", "2", "--max-length", "16", "--epochs", "10", "--lr", "3e-3", "--validation-fraction", "0.2", "--seed", "7"];

test("loom bert finetune --data … trains, reports validation and test figures with a confusion matrix; loom classify uses the folder", () => {
  const r = loom(["bert", "finetune", "--data", "train.jsonl", "--test", "test.jsonl", "--out", "runs/cls", ...TINY]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /data: train 480 \(240 neg, 240 pos\), validation 120 \(60 neg, 60 pos\), test 100 \(50 neg, 50 pos\)/);
  assert.match(r.stdout, /step 300 \(epoch 10\) validation: accuracy \d+\.\d\d% \| precision [\d.]+ \| recall [\d.]+ \| F1 [\d.]+ \(pos\)/);
  const testLine = /^test: accuracy (\d+\.\d\d)%/m.exec(r.stdout);
  assert.ok(testLine && Number(testLine[1]) >= 95, r.stdout);
  assert.match(r.stdout, /true \\ predicted +neg +pos\n +neg +\d+ +\d+\n +pos +\d+ +\d+/);
  assert.match(r.stdout, /saved: runs\/cls\/\{checkpoint-300\/, config\.json, metrics\.jsonl, model\.safetensors, test_results\.json, tokenizer\.json, tokenizer_config\.json\}/);

  const c = loom(["classify", "--run", "runs/cls", "the alpha of it", "delta was at one"]);
  assert.equal(c.status, 0, c.stderr);
  const lines = c.stdout.trim().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0] as string, /^pos\t0\.\d{4}\tthe alpha of it$/);
  assert.match(lines[1] as string, /^neg\t0\.\d{4}\tdelta was at one$/);
  writeFileSync(join(dir, "msg.txt"), "we can bravo\nout there");
  const f = loom(["classify", "--run", "runs/cls", "--json", "--file", "msg.txt"]);
  const parsed = JSON.parse(f.stdout) as { label: string; probability: number; probabilities: Record<string, number> };
  assert.equal(parsed.label, "pos");
  assert.ok(Math.abs(parsed.probabilities.pos! + parsed.probabilities.neg! - 1) < 1e-5);
  const s = loom(["classify", "--run", "runs/cls", "--lines"], "foxtrot is it\ncharlie and the\n");
  assert.deepEqual(s.stdout.trim().split("\n").map((l) => l.split("\t")[0]), ["neg", "pos"]);

  // The same folder again: refused, pointing at --resume and --overwrite.
  const again = loom(["bert", "finetune", "--data", "train.jsonl", "--out", "runs/cls", ...TINY]);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /^loom: runs\/cls already holds a run: continue it with --resume, replace it with --overwrite/m);
});

/** [arguments, a pattern the `loom:` line must match] */
const mistakes: [string[], RegExp][] = [
  [["bert", "finetune", "--task", "sentiment"], /--task: unknown task "sentiment" \(available: spam\)/],
  [["bert", "finetune", "--task", "spam", "--data", "train.jsonl"], /--task and --data: give one/],
  [["bert", "finetune", "--test", "test.jsonl"], /--test needs --data/],
  [["bert", "finetune", "--data", "missing.jsonl"], /missing\.jsonl: no such file or directory/],
  [["bert", "finetune", "--data", "notes.txt"], /notes\.txt: expected a \.jsonl file/],
  [["bert", "finetune", "--data", "one-class.jsonl"], /one-class\.jsonl: label: a classifier needs at least 2 classes/],
  [["bert", "finetune", "--data", "train.jsonl", "--max-length", "2"], /--max-length: expected an integer from 3 to 8192, got 2/],
  [["bert", "finetune", "--data", "train.jsonl", "--epochs", "0"], /--epochs <n>.*'0' is invalid/],
  [["bert", "finetune", "--data", "train.jsonl", "--validation-fraction", "1.5"], /--validation-fraction <x>.*expected a number in \(0, 1\)/],
  [["bert", "finetune", "--init", "empty", "--layers", "4"], /--init and --layers: the pretrained folder fixes the model's size/],
  [["bert", "finetune", "--data", "train.jsonl", "--init", "empty"], /empty\/config\.json|empty\/tokenizer\.json/],
  [["bert", "finetune", "--data", "train.jsonl", "--tokenizer", "bpe:100"], /--tokenizer: expected wordpiece:N or a path to tokenizer\.json, got "bpe:100"/],
  [["bert", "finetune", "--resume"], /--resume needs --out DIR/],
  [["bert", "finetune", "--distilbert"], /--distilbert needs --init DIR/],
  [["bert", "finetune", "--resume", "--out", "empty", "--lr", "1"], /--resume continues the run with its own settings; leave out --lr/],
  [["bert", "finetune", "--resume", "--out", "empty"], /empty holds no checkpoint to resume/],
  [["classify", "--run", "runs/nope", "hi"], /runs\/nope: no such run folder/],
  [["classify", "--run", "empty", "hi"], /empty is not a classifier folder: config\.json is missing/],
  [["classify", "hi"], /required option '--run <dir>' not specified/],
];

const driver = new URL("../mistakes-driver.ts", import.meta.url).pathname;
const batch = spawnSync(process.execPath, ["--import", tsx, driver, JSON.stringify(mistakes.map(([args]) => args))], { encoding: "utf8", cwd: dir });
const results = batch.status === 0 ? (JSON.parse(batch.stdout) as { status: number; stdout: string; stderr: string }[]) : [];

for (const [i, [args, expected]] of mistakes.entries()) {
  test(`loom ${args.join(" ")}: one "loom:" line, exit ≠ 0, no stack`, () => {
    assert.equal(batch.status, 0, batch.stderr);
    const r = results[i] as { status: number; stdout: string; stderr: string };
    assert.notEqual(r.status, 0, `exit code ${r.status}`);
    const errorLines = r.stderr.trimEnd().split("\n").filter((l) => l.startsWith("loom: "));
    assert.equal(errorLines.length, 1, r.stderr);
    assert.match(errorLines[0] as string, expected);
    assert.ok(!/^\s+at /m.test(r.stderr + r.stdout), `a stack trace was printed:\n${r.stderr}`);
  });
}
