// `loom seq2seq train` and `loom pronounce` from the command line: a short run on a toy dictionary that
// pronounce then reads, and the mistakes a user can make, each one `loom:` line with a non-zero exit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toyPronunciation, writeToyDict } from "../../train/seq2seq/toy-dict.js";

const main = new URL("../../../src/cli/main.ts", import.meta.url).pathname;
const tsx = import.meta.resolve("tsx");
const dir = mkdtempSync(join(tmpdir(), "loom-seq2seq-cli-"));
const dict = join(dir, "dict.txt");
const words = writeToyDict(dict);
mkdirSync(join(dir, "empty"));

function loom(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", tsx, main, ...args], { encoding: "utf8", cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("loom seq2seq train writes a run folder; loom pronounce prints a line of phonemes per word", () => {
  const r = loom(["seq2seq", "train", "--data", dict, "--model", "rnn", "--width", "32", "--embed-dim", "16", "--steps", "150", "--batch-size", "32",
    "--lr", "1e-2", "--warmup", "10", "--eval-interval", "75", "--eval-examples", "20", "--beams", "3", "--out", "run"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /done: 150 steps/);
  assert.match(r.stdout, /test \(\d+ words\): greedy WER [\d.]+% PER [\d.]+% \(\d+s\) \| beam 3 WER [\d.]+% PER [\d.]+%/);
  assert.ok(existsSync(join(dir, "run", "results.json")));
  const asked = words.slice(0, 3);
  for (const beams of ["1", "4"]) {
    const p = loom(["pronounce", "--run", "run", "--beams", beams, ...asked.map((w) => w.toLowerCase())]);
    assert.equal(p.status, 0, p.stderr);
    const lines = p.stdout.trim().split("\n");
    assert.equal(lines.length, asked.length);
    const known = new Set(asked.flatMap((w) => toyPronunciation(w)).concat("Z", "AE", "B", "D", "EH", "K", "OW", "S", "T"));
    lines.forEach((line, i) => {
      const [word, phonemes] = line.split("  ");
      assert.equal(word, asked[i]);
      assert.ok((phonemes ?? "").split(" ").every((ph) => known.has(ph)), line);
    });
  }
  const results = JSON.parse(readFileSync(join(dir, "run", "results.json"), "utf8")) as { task: string; model: string };
  assert.deepEqual([results.task, results.model], ["g2p", "rnn"]);
  // Run again into the same folder: refused, one line.
  const again = loom(["seq2seq", "train", "--data", dict, "--model", "rnn", "--steps", "2", "--out", "run"]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^loom: run already holds a run: replace it with --overwrite, or choose another --out\n$/);
  // A word with a letter the model never saw.
  const bad = loom(["pronounce", "--run", "run", "b4t"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^loom: "b4t": the model knows no "4"\nhint: words are spelled with the letters it was trained on: /);
});

test("Ctrl-C during loom seq2seq train saves a checkpoint of the step reached and exits 130", async () => {
  const child = spawn(process.execPath, ["--import", tsx, main, "seq2seq", "train", "--data", dict, "--model", "rnn", "--width", "16", "--embed-dim", "8",
    "--steps", "100000", "--batch-size", "8", "--eval-interval", "0", "--out", "stopped"], { cwd: dir });
  let stdout = "";
  const sent = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/step 20\//.test(stdout) && !child.killed) {
        child.kill("SIGINT");
        resolve();
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  await sent;
  assert.equal(code, 130, stdout);
  assert.match(stdout, /interrupted at step (\d+): checkpoint saved/);
  const step = Number(/interrupted at step (\d+)/.exec(stdout)?.[1]);
  assert.ok(step >= 20);
  assert.ok(existsSync(join(dir, "stopped", `checkpoint-${step}`, "model.safetensors")));
  assert.ok(!existsSync(join(dir, "stopped", "results.json")));
});

const mistakes: [string[], RegExp][] = [
  [["seq2seq", "train", "--model", "cnn"], /^loom: --model: expected rnn \| t5 \| transformer, got "cnn"\n$/],
  [["seq2seq", "train", "--task", "spell"], /^loom: --task: expected g2p \| p2g \| t2t, got "spell"\n$/],
  [["seq2seq", "train", "--minutes", "1", "--steps", "3"], /^loom: --minutes and --steps: give one budget\n$/],
  [["seq2seq", "train", "--cell", "rnn", "--steps", "3"], /^loom: --cell: expected lstm \| gru, got "rnn"\n$/],
  [["seq2seq", "train", "--model", "t5", "--width", "30", "--heads", "4", "--steps", "1", "--data", "DICT", "--out", "w"], /^loom: seq2seq t5: the width 30 must be a multiple of the heads 4/],
  [["seq2seq", "train", "--data", "missing.txt", "--steps", "1", "--out", "m"], /^loom: missing\.txt: no such file or directory\n$/],
  [["pronounce", "--run", "nope", "hello"], /^loom: nope: no such run folder\nhint: /],
  [["pronounce", "--run", "empty", "hello"], /^loom: empty is not a seq2seq run folder: config\.json is missing\nhint: /],
  [["pronounce", "--run", "DICT", "hello"], /is a file; --run takes a run folder/],
  [["pronounce", "hello"], /required option '--run <dir>' not specified/],
];

for (const [args, expected] of mistakes) {
  test(`loom ${args.join(" ")}: one "loom:" line, exit 1`, () => {
    const r = loom(args.map((a) => (a === "DICT" ? dict : a)));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });
}
