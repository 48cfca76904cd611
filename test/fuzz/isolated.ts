/**
 * Runs a fuzz property (test/fuzz/properties/<file>.ts, export <property>) in a child process with a
 * time limit and a memory limit: a loader that hangs is killed and reported as a hang, one that
 * crashes the engine (an abort, not an exception) fails this property only, and one whose peak
 * resident memory passes the limit fails as a memory bomb. The limits are generous (the properties
 * take a few seconds and 85-115 MiB peak on a loaded 2-core machine); they catch hangs and bombs, not
 * slowness.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const runner = fileURLToPath(new URL("./properties/run.ts", import.meta.url));

/** Time limit of one property, in seconds: a hang guard. */
export const FUZZ_TIME_LIMIT_S = 240;
/** Peak resident memory allowed to the process that runs one property, in MiB. */
export const FUZZ_MEMORY_LIMIT_MIB = 512;

/** Runs properties/<file>.ts's export <property> in a child process; the limits default to the constants above. */
export function runIsolated(file: string, property: string, limits: { seconds?: number; memoryMiB?: number } = {}): void {
  const seconds = limits.seconds ?? FUZZ_TIME_LIMIT_S;
  const memoryMiB = limits.memoryMiB ?? FUZZ_MEMORY_LIMIT_MIB;
  const result = spawnSync(process.execPath, ["--import", "tsx", runner, file, property], {
    encoding: "utf8",
    timeout: seconds * 1000,
    killSignal: "SIGKILL",
    maxBuffer: 16 * 1024 * 1024,
  });
  const where = `${file}.${property}`;
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    assert.fail(`${where}: did not finish in ${seconds} s (a hang)\n${result.stderr}`);
  }
  if (result.status !== 0) {
    assert.fail(`${where}: exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  const last = result.stdout.trim().split("\n").pop() ?? "";
  const { maxRssKiB } = JSON.parse(last) as { maxRssKiB: number };
  assert.ok(maxRssKiB / 1024 <= memoryMiB, `${where}: peak memory ${(maxRssKiB / 1024).toFixed(0)} MiB is over ${memoryMiB} MiB`);
}
