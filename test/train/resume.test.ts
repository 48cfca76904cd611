import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";
import { FormatError, ValueError } from "../../src/errors.js";
import { planResume } from "../../src/train/resume.js";
import { resumeTraining, runTraining } from "../../src/train/run.js";
import { quiet, tinySettings } from "./helpers/tiny-run.js";

/** One finished tiny run (6 steps, lr 1e-2, preset tiny), copied per test by running it again. */
async function finishedRun(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, "data.txt");
  writeFileSync(data, (readCorpus()[0]?.text ?? "").slice(0, 20000));
  const out = join(dir, "run");
  await runTraining(tinySettings(out, data), quiet);
  return out;
}

function rows(out: string): { step: number; loss?: number; val_loss?: number }[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { step: number });
}

test("--resume keeps the run's own settings (preset, budget, lr) and says when the budget is already reached", async () => {
  const out = await finishedRun("loom-keep-");
  const before = readFileSync(join(out, "metrics.jsonl"), "utf8");
  const plan = planResume(out);
  assert.equal(plan.settings.preset, "tiny");
  assert.equal(plan.settings.train.lr, 1e-2);
  assert.equal(plan.settings.train.steps, 6);
  assert.equal(plan.settings.train.timeSeconds, undefined);
  assert.match(plan.notes.join("\n"), /already reached its budget \(6 steps\); give --steps N or --time T/);
  const outcome = await resumeTraining(plan, quiet);
  assert.equal(outcome.result.steps, 6);
  assert.equal(readFileSync(join(out, "metrics.jsonl"), "utf8"), before, "no duplicate validation row");
});

test("--resume --steps N trains N more steps and --time T T more seconds (time spent does not count), each reported", async () => {
  const out = await finishedRun("loom-extend-");
  const plan = planResume(out, { train: { steps: 4 } });
  assert.equal(plan.settings.train.steps, 10);
  assert.match(plan.notes.join("\n"), /budget: 4 more steps \(to step 10\)/);
  const outcome = await resumeTraining(plan, quiet);
  assert.equal(outcome.result.steps, 10);
  const validationSteps = rows(out).filter((r) => r.val_loss !== undefined).map((r) => r.step);
  assert.deepEqual(validationSteps, [4, 6, 8, 10], "one validation row per evaluation, none repeated");
  const trainSteps = rows(out).filter((r) => r.loss !== undefined).map((r) => r.step);
  assert.deepEqual(trainSteps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  const spent = outcome.result.elapsedSeconds;
  const timed = planResume(out, { train: { timeSeconds: 0.2 } });
  assert.equal(timed.settings.train.steps, undefined);
  assert.ok(Math.abs((timed.settings.train.timeSeconds as number) - (spent + 0.2)) < 1e-9);
  assert.match(timed.notes.join("\n"), new RegExp(`budget: 0\\.2s more training time \\(${spent.toFixed(1)}s already spent\\)`));
  const more = await resumeTraining(timed, quiet);
  assert.ok(more.result.steps > 10, `trained on: ${more.result.steps} steps`);
  assert.ok(more.result.elapsedSeconds >= spent + 0.2);
});

test("--resume applies and reports settings that may change; refuses those the checkpoint fixed, with the reason", async () => {
  const out = await finishedRun("loom-flags-");
  const plan = planResume(out, { train: { lr: 5e-3, gradClip: 0.5 }, model: { n_layer: 1 }, preset: "tiny" });
  assert.equal(plan.settings.train.lr, 5e-3);
  assert.match(plan.notes.join("\n"), /--lr: 0\.01 → 0\.005 from step 6 on/);
  assert.match(plan.notes.join("\n"), /--grad-clip: 1 → 0\.5 from step 6 on/);
  const refusals: [Parameters<typeof planResume>[1], RegExp][] = [
    [{ tokenizer: "gpt2" }, /--tokenizer "gpt2" cannot change \(the run has "byte"\): the model's embeddings belong to the run's tokenizer\.json/],
    [{ model: { n_layer: 3 } }, /n_layer 3 cannot change .*architecture is fixed by the checkpoint's weights/],
    [{ train: { blockSize: 32 } }, /--block-size 32 cannot change .*architecture/],
    [{ preset: "sotu" }, /--preset "sotu" cannot change \(the run has "tiny"\): a resumed run keeps its own settings/],
    [{ seed: 9 }, /--seed 9 cannot change .*random state continues/],
    [{ data: "other.txt" }, /--data "other.txt" cannot change .*encoded when the run started/],
    [{ modelKind: "lstm" }, /--model "lstm" cannot change .*architecture/],
  ];
  for (const [changes, message] of refusals) assert.throws(() => planResume(out, changes), (e: unknown) => e instanceof ValueError && message.test(e.message), JSON.stringify(changes));
});

test("a damaged trainer_state.json is a named error naming the file and the field", async () => {
  const out = await finishedRun("loom-state-");
  const file = join(out, "checkpoint-6", "trainer_state.json");
  const good = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown> & { options: { train: Record<string, unknown> } };
  const cases: [string, RegExp][] = [
    ["{ not json", /trainer_state\.json: \(root\): not valid JSON/],
    ["null", /trainer_state\.json: \(root\): expected an object, got null/],
    [JSON.stringify({ ...good, step: "six" }), /trainer_state\.json: step: expected an integer ≥ 0, got "six"/],
    [JSON.stringify({ ...good, rng: null }), /trainer_state\.json: rng: expected/],
    [JSON.stringify({ ...good, options: { ...good.options, train: { ...good.options.train, batchSize: -1 } } }), /trainer_state\.json: options\.train\.batchSize: expected an integer from 1 to 4096, got -1/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(file, text);
    assert.throws(() => planResume(out), (e: unknown) => (e instanceof FormatError || e instanceof ValueError) && message.test(e.message), text.slice(0, 40));
  }
});

test("a run folder of an older loom (its checkpoint at the top level) is converted and resumed", async () => {
  const out = await finishedRun("loom-old-layout-");
  for (const f of ["optimizer.safetensors", "trainer_state.json"]) renameSync(join(out, "checkpoint-6", f), join(out, f));
  rmSync(join(out, "checkpoint-6"), { recursive: true });
  const plan = planResume(out, { train: { steps: 2 } });
  assert.match(plan.notes.join("\n"), /moved the run's checkpoint \(step 6\) into checkpoint-6\//);
  assert.ok(!existsSync(join(out, "trainer_state.json")) && existsSync(join(out, "checkpoint-6", "trainer_state.json")));
  assert.equal((await resumeTraining(plan, quiet)).result.steps, 8);
});
