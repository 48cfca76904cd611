import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";
import { ValueError } from "../../src/errors.js";
import { FileError } from "../../src/io/atomic.js";
import { loadLanguageModel } from "../../src/train/checkpoint.js";
import { planResume } from "../../src/train/resume.js";
import { resumeTraining, runTraining } from "../../src/train/run.js";
import { LOCK_FILE, setSaveOperationHook } from "../../src/train/run-folder.js";
import { spawn } from "node:child_process";
import { quiet, tinySettings } from "./helpers/tiny-run.js";

function setup(prefix: string): { dir: string; data: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, "data.txt");
  writeFileSync(data, (readCorpus()[0]?.text ?? "").slice(0, 20000));
  return { dir, data, out: join(dir, "run") };
}

test("a new run refuses a non-empty run folder without --resume or --overwrite, and leaves it untouched", async () => {
  const { data, out } = setup("loom-refuse-");
  mkdirSync(out);
  writeFileSync(join(out, "model.safetensors"), "a user's model");
  await assert.rejects(runTraining(tinySettings(out, data), quiet), (e: unknown) => e instanceof ValueError && /already holds a run: continue it with --resume, replace it with --overwrite/.test(e.message));
  assert.deepEqual(readdirSync(out), ["model.safetensors"]);
  assert.equal(readFileSync(join(out, "model.safetensors"), "utf8"), "a user's model");
});

test("an empty existing folder is fine; --overwrite replaces a run whole: none of the old run's files remain", async () => {
  const { dir, data, out } = setup("loom-overwrite-");
  mkdirSync(out);
  await runTraining(tinySettings(out, data), quiet);
  writeFileSync(join(out, "notes-of-the-old-run.txt"), "old");
  const longer = tinySettings(out, data);
  longer.train.steps = 8;
  await runTraining(longer, quiet, { overwrite: true });
  assert.ok(!existsSync(join(out, "notes-of-the-old-run.txt")), "old files are gone");
  assert.ok(!existsSync(join(out, "checkpoint-6")) && existsSync(join(out, "checkpoint-8")));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(".")), [], "no set-up or old folder is left beside it");
});

test("stale temp files of a crashed save are removed at the next start; the top level points at the latest checkpoint", async () => {
  const { data, out } = setup("loom-stale-");
  await runTraining(tinySettings(out, data), quiet);
  const stale = [".checkpoint-8.tmp-99999", ".model.safetensors.tmp-99999", ".checkpoint-4.old-99999", ".loss.svg.99999.1700000000000.tmp"];
  mkdirSync(join(out, stale[0] as string));
  writeFileSync(join(out, stale[0] as string, "model.safetensors"), "half");
  for (const f of stale.slice(1)) writeFileSync(join(out, f), "x");
  writeFileSync(join(out, "model.safetensors"), "an older, replaced model"); // as if killed before the switch
  const plan = planResume(out, { train: { steps: 2 } });
  assert.match(plan.notes.join("\n"), /removed 4 leftover files/);
  for (const f of stale) assert.ok(!existsSync(join(out, f)), f);
  assert.equal(loadLanguageModel(out).step, 6);
  assert.ok(readFileSync(join(out, "model.safetensors")).equals(readFileSync(join(out, "checkpoint-6", "model.safetensors"))));
});

test("no write goes through a planted symlink: metrics.jsonl, loss.svg, model.safetensors and a checkpoint folder", async () => {
  const { dir, data, out } = setup("loom-links-");
  await runTraining(tinySettings(out, data), quiet);
  const victims = ["metrics", "plot", "model"].map((n) => {
    const p = join(dir, `outside-${n}.txt`);
    writeFileSync(p, "precious");
    return p;
  });
  for (const [name, victim] of [["loss.svg", victims[1]], ["model.safetensors", victims[2]]] as const) {
    const p = join(out, name);
    writeFileSync(p, "");
    // Replace the run file by a link to a file outside the run folder.
    symlinkSync(victim as string, `${p}.link`);
    renameSync(`${p}.link`, p);
  }
  await resumeTraining(planResume(out, { train: { steps: 2 } }), quiet);
  for (const v of victims.slice(1)) assert.equal(readFileSync(v, "utf8"), "precious", v);
  assert.ok(lstatSync(join(out, "loss.svg")).isFile() && lstatSync(join(out, "model.safetensors")).isFile());

  // metrics.jsonl replaced by a link: --resume refuses to read or write through it, naming the file.
  rmSync(join(out, "metrics.jsonl"));
  symlinkSync(victims[0] as string, join(out, "metrics.jsonl"));
  await assert.rejects(resumeTraining(planResume(out, { train: { steps: 2 } }), quiet), (e: unknown) => e instanceof FileError && /metrics\.jsonl: .*symbolic link/.test(e.message));
  // … and a link planted while the run appends to it.
  rmSync(join(out, "metrics.jsonl"));
  await assert.rejects(
    resumeTraining(planResume(out, { train: { steps: 4 } }), {
      ...quiet,
      onStep: (step) => {
        if (step === 9) symlinkSync(victims[0] as string, join(out, "metrics.jsonl.link"));
        if (step === 9) renameSync(join(out, "metrics.jsonl.link"), join(out, "metrics.jsonl"));
      },
    }),
    (e: unknown) => e instanceof FileError && /metrics\.jsonl: .*symbolic link/.test(e.message),
  );
  assert.equal(readFileSync(victims[0] as string, "utf8"), "precious");

  // A checkpoint folder name planted as a link to a folder outside: the save fails, nothing is written there.
  const { dir: dir2, data: data2, out: out2 } = setup("loom-links2-");
  await runTraining(tinySettings(out2, data2), quiet);
  const outsideDir = join(dir2, "outside");
  mkdirSync(outsideDir);
  symlinkSync(outsideDir, join(out2, "checkpoint-8"));
  await assert.rejects(resumeTraining(planResume(out2, { train: { steps: 2 } }), quiet), (e: unknown) => e instanceof FileError && e.message.includes("checkpoint-8"));
  assert.deepEqual(readdirSync(outsideDir), []);
});

test("--overwrite interrupted at every operation of the new run's set-up: the folder holds the old run or the new one, never a mix", async () => {
  const { dir, data, out } = setup("loom-overwrite-crash-");
  await runTraining(tinySettings(out, data), quiet);
  writeFileSync(join(out, "old-run-marker.txt"), "old");
  const backup = join(dir, "backup");
  cpSync(out, backup, { recursive: true });
  const oldFiles = readdirSync(out).sort();
  const crash = new Error("simulated crash");
  let sawOld = 0;
  let sawNew = 0;
  // Crash points run until the new run has been in place for two of them (later ones are checkpoint saves, the kill test's ground).
  for (let k = 1; sawNew < 2; k++) {
    setSaveOperationHook((count) => {
      if (count === k) throw crash;
    });
    try {
      await runTraining(tinySettings(out, data), { ...quiet, onStep: () => true }, { overwrite: true });
    } catch (e) {
      if (e !== crash) throw e;
    } finally {
      setSaveOperationHook(undefined);
    }
    if (existsSync(out)) {
      // A crashed process's lock may stay behind (the next start takes it over).
      const names = readdirSync(out).filter((n) => n !== LOCK_FILE).sort();
      if (names.includes("old-run-marker.txt")) {
        assert.deepEqual(names, oldFiles, `crash at op ${k}: the old run, whole`);
        sawOld++;
      } else {
        assert.ok(names.includes("checkpoint-0") || names.includes("checkpoint-1"), `crash at op ${k}: the new run, whole: ${names.join(", ")}`);
        assert.ok(!names.includes("checkpoint-6"), `crash at op ${k}: nothing of the old run`);
        loadLanguageModel(out);
        sawNew++;
      }
    }
    // Put the old run back for the next crash point.
    rmSync(out, { recursive: true, force: true });
    cpSync(backup, out, { recursive: true });
  }
  assert.ok(sawOld > 10, `old ${sawOld}, new ${sawNew}`);
});

test("a run folder in use by another live process is refused before anything is cleaned; a dead process's lock is taken over", async () => {
  const { data, out } = setup("loom-lock-");
  await runTraining(tinySettings(out, data), quiet);
  assert.ok(!existsSync(join(out, LOCK_FILE)), "the lock is given up when training ends");
  writeFileSync(join(out, ".checkpoint-8.tmp-4242"), "another process's save in progress");
  const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
  try {
    writeFileSync(join(out, LOCK_FILE), `${live.pid}\n`);
    assert.throws(() => planResume(out), (e: unknown) => e instanceof ValueError && e.message.includes(`in use by process ${live.pid}`));
    await assert.rejects(runTraining(tinySettings(out, data), quiet, { overwrite: true }), /in use by process/);
    assert.ok(existsSync(join(out, ".checkpoint-8.tmp-4242")), "nothing of the other process was removed");
  } finally {
    live.kill("SIGKILL");
  }
  await new Promise((resolve) => live.once("exit", resolve));
  // Now its lock is stale: taken over, and the leftovers of the dead process are cleaned.
  const plan = planResume(out, { train: { steps: 2 } });
  assert.ok(!existsSync(join(out, ".checkpoint-8.tmp-4242")));
  assert.equal((await resumeTraining(plan, quiet)).result.steps, 8);
  assert.ok(!existsSync(join(out, LOCK_FILE)));
});
