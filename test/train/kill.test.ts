/**
 * Must-show 2 of issue 17: SIGKILL at ≥ 50 points spread over checkpoint saves. A chain of child
 * processes trains one tiny run; child i kills itself (a real SIGKILL) at save operation k_i, where
 * k_i walks over 1…97 (every position of a save: temp folder, each part of each file, flushes, the
 * rename, the top-level switch, the clean-up, metrics and plot writes, and the new run's set-up). The
 * next child resumes. After every kill the run folder's top level must load as a model, and the next
 * child must resume at the latest complete checkpoint; when a chain finishes, its loss curve and
 * weights must equal an uninterrupted run's, and no temp file may be left.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";
import { loadLanguageModel, loadTokenizer } from "../../src/train/checkpoint.js";
import { latestCheckpoint } from "../../src/train/run-folder.js";
import { startOrResume } from "./helpers/tiny-run.js";

const child = new URL("./helpers/tiny-run.ts", import.meta.url).pathname;
const KILLS = 50;

/** metrics.jsonl without its timing fields (those differ between any two runs). */
function curve(dir: string): unknown[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => {
    const { tokens_per_second: _t, elapsed_seconds: _e, ...row } = JSON.parse(line) as Record<string, unknown>;
    return row;
  });
}

const RUN_FILES = ["checkpoint-6", "config.json", "loss.svg", "metrics.jsonl", "model.safetensors", "tokenizer.json", "train.tokens", "train.tokens.json", "validation.tokens", "validation.tokens.json"];

test(`SIGKILL at ${KILLS} points of checkpoint saves: every resume continues from the last complete checkpoint and reproduces the uninterrupted run`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-kill-"));
  const data = join(dir, "data.txt");
  writeFileSync(data, (readCorpus()[0]?.text ?? "").slice(0, 20000));
  const reference = join(dir, "reference");
  await startOrResume(reference, data);
  const expectedCurve = curve(reference);
  const expectedWeights = readFileSync(join(reference, "model.safetensors"));

  const run = join(dir, "run");
  const killedAt = new Set<number>();
  let kills = 0;
  let chains = 0;
  let lastComplete = -1; // the latest complete checkpoint before the next child starts (-1: no run folder)
  for (let i = 0; kills < KILLS || existsSync(run); i++) {
    const k = 1 + ((i * 53) % 97);
    const env = { ...process.env, ...(kills < KILLS ? { LOOM_KILL_AT_SAVE_OP: String(k) } : {}) };
    delete (env as Record<string, string | undefined>).NODE_TEST_CONTEXT;
    if (kills >= KILLS) delete env.LOOM_KILL_AT_SAVE_OP;
    const r = spawnSync(process.execPath, ["--import", "tsx", child, run, data], { env, encoding: "utf8" });
    const resumed = /resumed-at (\d+)/.exec(r.stdout);
    if (lastComplete >= 0) assert.equal(Number(resumed?.[1]), lastComplete, `child ${i} (kill at op ${k}) resumed at the last complete checkpoint\n${r.stdout}${r.stderr}`);
    if (r.signal === "SIGKILL") {
      kills++;
      killedAt.add(k);
      if (existsSync(run)) {
        // The top level is a whole model folder at every instant.
        const latest = latestCheckpoint(run);
        assert.ok(latest, `kill ${kills} at op ${k}: the run folder has a complete checkpoint`);
        assert.ok(latest.step >= Math.max(0, lastComplete), `kill ${kills}: checkpoints never go back (${latest.step} < ${lastComplete})`);
        loadLanguageModel(run);
        loadTokenizer(run);
        lastComplete = latest.step;
      }
      continue;
    }
    assert.equal(r.status, 0, `child ${i} (kill at op ${k}) failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /finished/);
    // A whole chain: its curve and weights are the uninterrupted run's; nothing is left over.
    chains++;
    assert.deepEqual(curve(run), expectedCurve, `chain ${chains}: the loss curve equals the uninterrupted run's`);
    assert.ok(readFileSync(join(run, "model.safetensors")).equals(expectedWeights), `chain ${chains}: the final weights equal the uninterrupted run's`);
    assert.deepEqual(readdirSync(run).sort(), RUN_FILES, `chain ${chains}: no temp file is left`);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(".")), [], `chain ${chains}: no set-up folder is left`);
    rmSync(run, { recursive: true });
    lastComplete = -1;
  }
  console.log(`kill test: ${kills} SIGKILLs at ${killedAt.size} distinct save operations, ${chains} chains resumed to the end`);
  assert.ok(killedAt.size >= 50, `${killedAt.size} distinct kill points`);
  assert.ok(chains >= 1);
});
