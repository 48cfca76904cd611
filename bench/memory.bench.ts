/**
 * Peak memory and speed of GPT training by precision and gradient checkpointing: the SMALL GPT (6
 * layers × 384, vocab 8192) on batch 8 × block 1024 tokens, one process per configuration
 * (bench/memory-step.ts) so each peak RSS is its own. "model MiB" is the process's peak before the
 * first step (runtime, weights, optimiser), "peak MiB" after the steps; the activations a step keeps
 * for its backward are the difference. Time is the median seconds per AdamW step after the first.
 *
 * Env: MEMORY_BENCH_BATCH (8), MEMORY_BENCH_BLOCK (1024), MEMORY_BENCH_STEPS (3),
 * MEMORY_BENCH_CONFIGS (default "fp32:0,fp32:1,bf16:0,bf16:1,fp16:0": precision:checkpoint-every).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printTable } from "./table.js";

interface StepResult {
  precision: string;
  every: number;
  modelMiB: number;
  peakMiB: number;
  secondsPerStep: number;
  loss: number;
}

export async function run(): Promise<void> {
  const batch = process.env.MEMORY_BENCH_BATCH ?? "8";
  const block = process.env.MEMORY_BENCH_BLOCK ?? "1024";
  const steps = process.env.MEMORY_BENCH_STEPS ?? "3";
  const configs = (process.env.MEMORY_BENCH_CONFIGS ?? "fp32:0,fp32:1,bf16:0,bf16:1,fp16:0").split(",").map((c) => c.split(":") as [string, string]);
  const script = fileURLToPath(new URL("./memory-step.ts", import.meta.url));
  const results: StepResult[] = [];
  for (const [precision, every] of configs) {
    const out = execFileSync(process.execPath, ["--import", "tsx", script, precision, every, batch, block, steps], { encoding: "utf8", maxBuffer: 1 << 20 });
    results.push(JSON.parse(out.trim().split("\n").pop() ?? "{}") as StepResult);
  }
  const base = results[0];
  console.log(`SMALL GPT (6 × 384, vocab 8192), batch ${batch} × block ${block}, AdamW, dropout 0.1, native backend where built`);
  printTable(
    ["precision", "checkpointing", "model MiB", "peak MiB", "peak vs first row", "s/step", "time vs first row"],
    results.map((r) => [
      r.precision, r.every === 0 ? "off" : r.every === 1 ? "every block" : `every ${r.every}th`, r.modelMiB, r.peakMiB,
      base ? `${((100 * r.peakMiB) / base.peakMiB).toFixed(0)}%` : "", r.secondsPerStep, base ? `${((100 * r.secondsPerStep) / base.secondsPerStep).toFixed(0)}%` : "",
    ]),
  );
}
