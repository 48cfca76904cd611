/**
 * One configuration of bench/memory.bench.ts, in a process of its own so that its peak RSS is its own:
 * builds the SMALL GPT (6 layers × 384, 6 heads, vocab 8192, dropout 0.1), runs training steps (AdamW)
 * on batch × block random tokens with the given precision and gradient checkpointing, and prints one
 * JSON line: peak RSS (MiB) after building the model and after the steps, and seconds per step (median
 * of the steps after the first).
 *
 * Usage: node --import tsx bench/memory-step.ts PRECISION CHECKPOINT_EVERY BATCH BLOCK STEPS
 */
import { useFastBackend } from "../src/backend/index.js";
import { autocast, manualSeed, optim, randint } from "../src/index.js";
import { GPT } from "../src/models/gpt/model.js";

const [precision = "fp32", every = "0", batch = "8", block = "1024", steps = "2"] = process.argv.slice(2);
try {
  useFastBackend();
} catch {
  // the reference backend measures the same memory, slowly
}
const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;
manualSeed(0);
const B = Number(batch);
const T = Number(block);
const model = new GPT({ vocab_size: 8192, n_positions: T, n_embd: 384, n_layer: 6, n_head: 6, embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 });
model.gradientCheckpointing = Number(every);
model.train();
const opt = new optim.AdamW(model.parameters(), { lr: 1e-4 });
const ids = randint(0, 8192, [B, T]);
const modelMiB = peakMiB();
const times: number[] = [];
let loss = 0;
for (let s = 0; s < Number(steps); s++) {
  const t0 = performance.now();
  const forward = () => model.forward(ids, { targets: ids }).loss!;
  const l = precision === "bf16" ? autocast("bfloat16", forward) : precision === "fp16" ? autocast("float16", forward) : forward();
  l.backward();
  opt.step();
  opt.zeroGrad();
  loss = l.item();
  times.push((performance.now() - t0) / 1000);
}
const timed = times.length > 1 ? times.slice(1).sort((a, b) => a - b) : times;
console.log(JSON.stringify({ precision, every: Number(every), modelMiB, peakMiB: peakMiB(), secondsPerStep: timed[Math.floor(timed.length / 2)], loss }));
