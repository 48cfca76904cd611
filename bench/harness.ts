/**
 * What the model benches (gpt, bert, t5) share: which loom backends to measure, and running a child
 * process — a PyTorch peer in scripts/peers/, or a loom training process — whose last stdout line is
 * its JSON result.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Backend } from "../src/index.js";
import { createNativeBackend, createWasmBackend, referenceBackend } from "../src/backend/index.js";

/** The loom backends to measure: the one LOOM_BACKEND names, else native (where it runs) and wasm. */
export function benchBackends(threads: number): [string, () => Backend][] {
  const named = process.env.LOOM_BACKEND;
  const all: [string, () => Backend][] = [
    ["native", () => createNativeBackend({ threads })],
    ["wasm", () => createWasmBackend({ threads })],
    ["js", () => referenceBackend],
  ];
  if (named) return all.filter(([name]) => name === named);
  return all.slice(0, 2);
}

/** The last stdout line of a child process, parsed as JSON, or why there is none (one short line). */
export function childJson<T>(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): { result: T } | { why: string } {
  const r = spawnSync(command, args, { env, encoding: "utf8", timeout: timeoutMs });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`);
    return { why: why.slice(0, 120) };
  }
  return { result: JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as T };
}

/**
 * Runs scripts/peers/NAME with Debian's python3 (where apt put torch) before whatever python3 PATH finds
 * first; OpenMP waits passively and OpenBLAS detects the CPU itself, so the peer does not spin against
 * or mis-tune for the machine loom ran on.
 */
export function runTorchPeer<T>(name: string, args: string[], timeoutMs?: number): { result: T } | { why: string } {
  const script = fileURLToPath(new URL(`../scripts/peers/${name}`, import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: "PASSIVE" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  return childJson<T>(python, [script, ...args], env, timeoutMs);
}
