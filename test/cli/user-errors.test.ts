// Every user mistake on the command line ends in one `loom: …` line naming the problem (plus at most a
// `hint:` line), a non-zero exit code, and no stack trace; `--debug` adds the stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
// The commands run in a scratch folder, so tsx is named by its full location.
const tsx = import.meta.resolve("tsx");
const dir = mkdtempSync(join(tmpdir(), "loom-mistakes-"));
mkdirSync(join(dir, "empty"));
writeFileSync(join(dir, "bad.json"), "{ not json");

function loom(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", tsx, main, ...args], { encoding: "utf8", cwd: dir, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** [arguments, a pattern the `loom:` line must match] */
const mistakes: [string[], RegExp][] = [
  [["generate", "--run", "runs/nope"], /runs\/nope: no such run folder/],
  [["eval", "--run", "empty"], /empty is not a loom run folder: config\.json is missing/],
  [["chat", "--run", "bad.json"], /bad\.json is a file; --run takes a run folder/],
  [["generate"], /required option '--run <dir>' not specified/],
  [["train", "--preset", "huge"], /unknown preset "huge" \(available: sotu, tiny, small\)/],
  [["train", "--data", "nofile.txt", "--steps", "1"], /nofile\.txt(: cannot read the training data: no such file| does not exist)/],
  [["train", "--steps", "ten"], /--steps <n>.*'ten' is invalid/],
  [["train", "--model", "cnn"], /--model: expected gpt, lstm, gru or rnn, got "cnn"/],
  [["train", "--tokenizer", "bpe:10", "--data", "bad.json", "--steps", "1"], /bpe:N needs N ≥ 260/],
  [["train", "--bogus"], /unknown option '--bogus'/],
  [["tokenize", "-t", "bert-base-uncased", "Hello"], /bert-base-uncased is neither a file nor a built-in encoding/],
  [["tokenize", "-t", "bad.json", "Hello"], /bad\.json/],
  [["tokenize", "-t", "gpt2", "--file", "missing.txt"], /missing\.txt: no such file or directory/],
  [["tokenizer", "train", "--model", "bpe", "--vocab-size", "100", "-o", "out.json", "/nonexistent"], /no such file or directory: \/nonexistent/],
  [["tokenizer", "train", "--model", "gpt", "--vocab-size", "100", "-o", "out.json", "x"], /expected one of bpe, wordpiece, unigram, wordlevel/],
  [["frobnicate"], /unknown command 'frobnicate'/],
];

// All mistakes run in one process through runCli (what main.ts calls); the tests below also start the
// real binary for a few, so the exit code of the process itself is checked too.
const driver = new URL("mistakes-driver.ts", import.meta.url).pathname;
const batch = spawnSync(process.execPath, ["--import", tsx, driver, JSON.stringify(mistakes.map(([args]) => args))], { encoding: "utf8", cwd: dir });
const results = batch.status === 0 ? (JSON.parse(batch.stdout) as { args: string[]; status: number; stdout: string; stderr: string }[]) : [];

for (const [i, [args, expected]] of mistakes.entries()) {
  test(`loom ${args.join(" ")}: one "loom:" line, exit ≠ 0, no stack`, () => {
    assert.equal(batch.status, 0, batch.stderr);
    const r = results[i] as { status: number; stdout: string; stderr: string };
    assert.notEqual(r.status, 0, `exit code ${r.status}`);
    const lines = r.stderr.trimEnd().split("\n");
    const errorLines = lines.filter((l) => l.startsWith("loom: "));
    assert.equal(errorLines.length, 1, r.stderr);
    assert.match(errorLines[0] as string, expected);
    assert.ok(!/^\s+at /m.test(r.stderr + r.stdout), `a stack trace was printed:\n${r.stderr}`);
    // Anything after the message is a hint (or commander's suggestion), never more output.
    for (const extra of lines.slice(lines.indexOf(errorLines[0] as string) + 1)) assert.match(extra, /^(hint: |\(Did you mean)/, r.stderr);
  });
}

test("the loom process itself exits non-zero with one loom: line (train --preset huge, generate --run runs/nope)", () => {
  for (const [args, expected] of [[["train", "--preset", "huge"], /^loom: unknown preset "huge"/], [["generate", "--run", "runs/nope"], /^loom: runs\/nope: no such run folder/]] as const) {
    const r = loom([...args]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
    assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
  }
});

test("loom generate --run runs/nope: the hint says how to get a run folder", () => {
  const r = loom(["generate", "--run", "runs/nope"]);
  assert.match(r.stderr, /^hint: train one with `loom train --out runs\/nope`/m);
});

test("--debug (or LOOM_DEBUG=1) adds the stack trace", () => {
  for (const r of [loom(["--debug", "train", "--preset", "huge"]), loom(["train", "--preset", "huge"], { LOOM_DEBUG: "1" })]) {
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^loom: unknown preset "huge"/m);
    assert.match(r.stderr, /^\s+at /m);
  }
});

test("--help and --version exit 0", () => {
  assert.equal(loom(["--help"]).status, 0);
  const v = loom(["--version"]);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
});
