import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const small = ["--tokenizer", "byte", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4", "--eval-blocks", "8", "--samples", "0"];

function corpusFile(dir: string): string {
  const path = join(dir, "text.txt");
  writeFileSync(path, readCorpus().slice(0, 2).map((d) => d.text).join("\n"));
  return path;
}

test("loom train: Ctrl-C saves a checkpoint and exits cleanly; --resume continues; generate and eval read the run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-cli-"));
  const out = join(dir, "run");
  const child = spawn(process.execPath, ["--import", "tsx", main, "train", "--data", corpusFile(dir), "--out", out, "--steps", "100000", "--checkpoint-interval", "0", ...small], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const sawStep = new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      if (/step 10\/|step 20\//.test(output)) resolve();
    });
  });
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  await sawStep;
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, output); // 128 + SIGINT, as shells expect, after the checkpoint is saved
  assert.match(output, /interrupted at step \d+: checkpoint saved/);
  const step = Number(/interrupted at step (\d+)/.exec(output)?.[1]);
  const state = JSON.parse(readFileSync(join(out, `checkpoint-${step}`, "trainer_state.json"), "utf8")) as { step: number };
  assert.ok(state.step >= 10 && state.step === step, `saved at step ${state.step}`);

  // On --resume, --steps adds steps to the run (and says so).
  const resumed = spawnSync(process.execPath, ["--import", "tsx", main, "train", "--out", out, "--resume", "--steps", "5", "--samples", "0"], { encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, new RegExp(`resuming .* at step ${state.step}`));
  assert.match(resumed.stdout, new RegExp(`budget: 5 more steps \\(to step ${state.step + 5}\\)`));
  assert.match(resumed.stdout, new RegExp(`done: ${state.step + 5} steps`));

  const gen = spawnSync(process.execPath, ["--import", "tsx", main, "generate", "--run", out, "--prompt", "The ", "--max-tokens", "20", "--seed", "1"], { encoding: "utf8" });
  assert.equal(gen.status, 0, gen.stderr);
  assert.ok(gen.stdout.startsWith("The ") && gen.stdout.length > 10, gen.stdout);
  const ev = spawnSync(process.execPath, ["--import", "tsx", main, "eval", "--run", out, "--json", "--blocks", "8"], { encoding: "utf8" });
  assert.equal(ev.status, 0, ev.stderr);
  const r = JSON.parse(ev.stdout) as { loss: number; bits_per_byte: number };
  assert.ok(r.loss > 0 && r.loss < Math.log(260) && r.bits_per_byte > 0, ev.stdout);
});

test("loom train on chat transcripts, then loom chat answers on stdin", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-chat-"));
  const data = join(dir, "chat.jsonl");
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const a = i % 7;
    const b = (i * 3) % 5;
    lines.push(JSON.stringify({ messages: [{ role: "user", content: `add ${a} and ${b}` }, { role: "assistant", content: `${a} plus ${b} is ${a + b}.` }] }));
  }
  writeFileSync(data, lines.join("\n") + "\n");
  const out = join(dir, "run");
  const train = spawnSync(process.execPath, ["--import", "tsx", main, "train", "--data", data, "--out", out, "--steps", "30", ...small], { encoding: "utf8" });
  assert.equal(train.status, 0, train.stderr + train.stdout);
  assert.ok(existsSync(join(out, "tokenizer_config.json")), "the chat template is saved beside tokenizer.json");
  const chat = spawnSync(process.execPath, ["--import", "tsx", main, "chat", "--run", out, "--max-tokens", "12", "--system", "You add numbers."], {
    input: "add 2 and 3\n/reset\nadd 1 and 1\n",
    encoding: "utf8",
  });
  assert.equal(chat.status, 0, chat.stderr);
  const replies = chat.stdout.split("model> ").slice(1);
  assert.equal(replies.length, 2, chat.stdout);
  for (const r of replies) assert.ok(!r.includes("<|user|>") && !r.includes("<|assistant|>"), r);
});

test("loom train --model lstm writes the same run folder format; generate reads it", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-lstm-"));
  const out = join(dir, "run");
  const train = spawnSync(process.execPath, ["--import", "tsx", main, "train", "--model", "lstm", "--hidden-size", "24", "--data", corpusFile(dir), "--out", out, "--steps", "15", ...small], { encoding: "utf8" });
  assert.equal(train.status, 0, train.stderr + train.stdout);
  assert.match(train.stdout, /LSTM language model, 1 layers, hidden 24/);
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { model_type: string; cell: string };
  assert.deepEqual([config.model_type, config.cell], ["loom-rnnlm", "lstm"]);
  const gen = spawnSync(process.execPath, ["--import", "tsx", main, "generate", "--run", out, "--prompt", "We ", "--max-tokens", "10"], { encoding: "utf8" });
  assert.equal(gen.status, 0, gen.stderr);
  assert.ok(gen.stdout.startsWith("We "), gen.stdout);
});

function loom(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", main, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("loom train: an existing run is refused without --resume/--overwrite; --resume names the run's own settings and refuses what cannot change", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-cli-runs-"));
  const out = join(dir, "run");
  const data = corpusFile(dir);
  const first = loom(["train", "--preset", "tiny", "--data", data, "--out", out, "--steps", "4", "--lr", "0.004", ...small]);
  assert.equal(first.status, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /preset tiny, gpt, tokenizer byte, budget 4 steps, lr 0\.004/);
  assert.match(first.stdout, /saved: .*\{checkpoint-4\/, config\.json, loss\.svg, metrics\.jsonl, model\.safetensors, tokenizer\.json, train\.tokens, train\.tokens\.json, validation\.tokens, validation\.tokens\.json\}/);

  const again = loom(["train", "--data", data, "--out", out, "--steps", "4", ...small]);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /already holds a run: continue it with --resume, replace it with --overwrite/);
  assert.ok(existsSync(join(out, "checkpoint-4")), "the run is untouched");

  const resumed = loom(["train", "--out", out, "--resume", "--samples", "0"]);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /resuming .* at step 4: preset tiny, gpt, tokenizer byte, budget 4 steps, lr 0\.004/);
  assert.match(resumed.stdout, /already reached its budget \(4 steps\)/);

  const refused = loom(["train", "--out", out, "--resume", "--tokenizer", "gpt2"]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /--tokenizer "gpt2" cannot change \(the run has "byte"\)/);

  const replaced = loom(["train", "--data", data, "--out", out, "--steps", "2", "--overwrite", ...small]);
  assert.equal(replaced.status, 0, replaced.stderr + replaced.stdout);
  assert.ok(existsSync(join(out, "checkpoint-2")) && !existsSync(join(out, "checkpoint-4")));
});

test("loom train: --backend cuda, --grad-clip -1 and --batch-size 1e9 are refused naming the flag and the allowed range", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-cli-flags-"));
  const cases: [string[], RegExp][] = [
    [["--backend", "cuda"], /--backend: expected native, wasm or js, got "cuda"/],
    [["--grad-clip", "-1"], /--grad-clip.*expected a number ≥ 0 \(0: off\), got "-1"/],
    [["--batch-size", "1e9"], /--batch-size: expected an integer from 1 to 4096, got 1000000000/],
  ];
  for (const [flags, message] of cases) {
    const r = loom(["train", "--out", join(dir, "run"), "--steps", "1", ...flags]);
    assert.notEqual(r.status, 0, flags.join(" "));
    assert.match(r.stderr, message);
    assert.ok(!existsSync(join(dir, "run")), `${flags.join(" ")}: no run folder`);
  }
});
