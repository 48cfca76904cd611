import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const small = [
  "--vocab-size", "300", "--max-seq-length", "32", "--layers", "1", "--hidden", "32", "--heads", "2", "--intermediate", "64",
  "--batch-size", "4", "--eval-sequences", "8", "--checkpoint-interval", "0", "--warmup", "2",
];

function loom(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

test("loom bert pretrain: trains, reports MLM and NSP figures, saves a HF folder; --resume adds steps; a run is never overwritten", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-bert-cli-"));
  const data = join(dir, "text.txt");
  writeFileSync(data, readCorpus().slice(0, 2).map((d) => d.text).join("\n\n"));
  const out = join(dir, "run");
  const first = loom(["bert", "pretrain", "--data", data, "--out", out, "--steps", "3", "--objective", "mlm+sop", "--masking", "google", "--whole-word", ...small]);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /mlm\+sop, google masking \(whole words\)/);
  assert.match(first.out, /done: 3 steps/);
  assert.match(first.out, /validation: MLM loss \d+\.\d+, accuracy \d+\.\d+% \| sentence-pair loss \d+\.\d+, accuracy \d+\.\d+%/);
  for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) assert.ok(existsSync(join(out, f)), f);
  assert.deepEqual((JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { architectures: string[] }).architectures, ["BertForPreTraining"]);
  const again = loom(["bert", "pretrain", "--data", data, "--out", out, "--steps", "3", ...small]);
  assert.equal(again.code, 1);
  assert.match(again.out, /^loom: .*already holds a run: continue it with --resume/m);
  const resumed = loom(["bert", "pretrain", "--out", out, "--resume", "--steps", "2"]);
  assert.equal(resumed.code, 0, resumed.out);
  assert.match(resumed.out, /resuming .* at step 3/);
  assert.match(resumed.out, /done: 5 steps/);
  const fixed = loom(["bert", "pretrain", "--out", out, "--resume", "--lr", "1"]);
  assert.equal(fixed.code, 1);
  assert.match(fixed.out, /--resume continues the run with its own settings; only --steps, --time and --backend may be given \(got --lr\)/);
});

test("loom bert pretrain: bad settings are named errors, not stack traces", () => {
  const bad = loom(["bert", "pretrain", "--objective", "clm"]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /--objective.*expected mlm \| mlm\+nsp \| mlm\+sop, got "clm"/);
  const ngram = loom(["bert", "pretrain", "--max-ngram", "3", "--steps", "1"]);
  assert.equal(ngram.code, 1);
  assert.match(ngram.out, /^loom: --max-ngram: expected 1 unless --masking google/m);
  assert.doesNotMatch(ngram.out, /\n\s+at /);
  const seq = loom(["bert", "pretrain", "--max-seq-length", "3", "--steps", "1"]);
  assert.equal(seq.code, 1);
  assert.match(seq.out, /^loom: --max-seq-length: expected an integer from 5 to 65536, got 3/m);
});

test("loom bert pretrain: Ctrl-C saves a checkpoint and exits with 130; --resume continues from it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-bert-cli-"));
  const data = join(dir, "text.txt");
  writeFileSync(data, readCorpus().slice(0, 2).map((d) => d.text).join("\n\n"));
  const out = join(dir, "run");
  const child = spawn(process.execPath, ["--import", "tsx", main, "bert", "pretrain", "--data", data, "--out", out, "--steps", "100000", ...small], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const sawStep = new Promise<void>((resolve) => {
    const look = (d: Buffer) => {
      output += d.toString();
      if (/step 10\//.test(output)) resolve();
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
  });
  await sawStep;
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, output);
  const step = Number(/interrupted at step (\d+): checkpoint saved/.exec(output)?.[1]);
  assert.ok(step >= 10, output);
  const state = JSON.parse(readFileSync(join(out, `checkpoint-${step}`, "trainer_state.json"), "utf8")) as { step: number };
  assert.equal(state.step, step);
  const resumed = loom(["bert", "pretrain", "--out", out, "--resume", "--steps", "2"]);
  assert.equal(resumed.code, 0, resumed.out);
  assert.match(resumed.out, new RegExp(`resuming .* at step ${step}[^]*done: ${step + 2} steps`));
});
