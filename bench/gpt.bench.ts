/**
 * GPT training throughput: tokens/s of full training steps (forward, backward, AdamW update; dropout 0;
 * random token ids) for two fixed configs, on the active backend (LOOM_BACKEND=js|wasm; unset, the
 * WebAssembly backend where it compiles), with peak RSS.
 *
 *   TINY : 4 layers, 4 heads, n_embd 128, block 128, batch 16, vocab 96  (2,048 tokens/step)
 *   SMALL: 6 layers, 6 heads, n_embd 384, block 256, batch 8,  vocab 96  (2,048 tokens/step)
 *
 * Warm-up steps are excluded; the figure is the median wall-clock step time of the timed steps. The
 * machine is shared, so the CPU time of the whole process per timed step (main thread and any kernel
 * worker threads) is printed beside it: a wall time far above it means the step waited for a core.
 * The PyTorch rows
 * are not measured here (the bench must not depend on Python): they are the figures of
 * /work/shared/peers/gpt_torch.py (nanoGPT-style, same configs, AdamW) recorded in that folder's
 * README, measured earlier on this machine type (2-vCPU Zen 4).
 */
import { getBackend, manualSeed, randint } from "../src/index.js";
import { GPT, type GPTConfig } from "../src/models/gpt/index.js";
import { AdamW } from "../src/optim/index.js";
import { printTable, timeIt } from "./table.js";

interface BenchConfig {
  name: string;
  model: Partial<GPTConfig>;
  batch: number;
  block: number;
  warmup: number;
  timed: number;
}

const NO_DROPOUT = { embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 };

const CONFIGS: BenchConfig[] = [
  {
    name: "TINY",
    model: { vocab_size: 96, n_positions: 128, n_embd: 128, n_layer: 4, n_head: 4, ...NO_DROPOUT },
    batch: 16, block: 128, warmup: 2, timed: 5,
  },
  {
    // Slow on the reference backend, hence only 2 timed steps.
    name: "SMALL",
    model: { vocab_size: 96, n_positions: 256, n_embd: 384, n_layer: 6, n_head: 6, ...NO_DROPOUT },
    batch: 8, block: 256, warmup: 1, timed: 2,
  },
];

/** PyTorch 1.13 CPU (Debian, OpenBLAS pthread) tokens/s from /work/shared/peers/README.md. */
const PYTORCH_REFERENCE: [string, number, number][] = [
  ["TINY", 11170, 14780],
  ["SMALL", 1133, 1642],
];

export async function run(): Promise<void> {
  const active = getBackend();
  const backend = active.constructor.name;
  const threads = "threads" in active ? `, ${String(active.threads)} threads` : "";
  console.log(`backend: ${backend}${threads} (LOOM_BACKEND=${process.env.LOOM_BACKEND ?? "unset: wasm where it compiles"})\n`);
  const rows: (string | number)[][] = [];
  for (const c of CONFIGS) {
    manualSeed(0);
    const model = new GPT({ ...c.model });
    model.train();
    const optimizer = new AdamW(model.parameters(), { lr: 3e-4 });
    const V = c.model.vocab_size as number;
    let calls = 0;
    let cpuMicros = 0;
    const step = () => {
      const timedCall = calls++ >= c.warmup; // timeIt runs the warm-up calls first
      const cpu0 = process.cpuUsage();
      const ids = randint(0, V, [c.batch, c.block], { dtype: "int32" });
      const targets = randint(0, V, [c.batch, c.block], { dtype: "int32" });
      const { loss } = model.forward(ids, { targets });
      loss?.backward();
      optimizer.step();
      optimizer.zeroGrad();
      if (timedCall) {
        const cpu = process.cpuUsage(cpu0);
        cpuMicros += cpu.user + cpu.system;
      }
    };
    const seconds = timeIt(step, c.timed, c.warmup);
    const tokens = c.batch * c.block;
    const maxRssMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    const cpuMsPerStep = cpuMicros / 1000 / c.timed;
    rows.push([`loom ${c.name} (${backend})`, tokens / seconds, seconds * 1000, cpuMsPerStep, `${c.warmup} + ${c.timed}`, maxRssMiB]);
  }
  for (const [name, oneThread, twoThreads] of PYTORCH_REFERENCE) {
    const tokens = 2048;
    rows.push([`PyTorch ${name}, 1 thread (earlier, this machine type)`, oneThread, (tokens / oneThread) * 1000, "—", "—", "—"]);
    rows.push([`PyTorch ${name}, 2 threads (earlier, this machine type)`, twoThreads, (tokens / twoThreads) * 1000, "—", "—", "—"]);
  }
  printTable(["GPT training step (fwd + bwd + AdamW)", "tokens/s", "ms/step", "CPU ms/step", "warm-up + timed steps", "peak RSS so far (MiB)"], rows);
  await Promise.resolve();
}
