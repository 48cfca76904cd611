/**
 * Gradient checkpointing: memory held by the graph after the forward, and time of forward + backward,
 * for a stack of pre-norm attention + MLP blocks (d 128, 4× MLP, dropout 0.1) on batch 8 × 128 tokens,
 * without checkpointing, checkpointing every block, and every 2nd block. "graph MiB" is the typed-array
 * memory still reachable after the forward (garbage collected first), i.e. the saved activations that
 * checkpointing trades for a second forward; the backward then needs about one block's worth more.
 *
 * Env: CHECKPOINT_BENCH_LAYERS (default 12), CHECKPOINT_BENCH_REPEATS (default 3).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { useFastBackend } from "../src/backend/index.js";
import { autograd, manualSeed, nn, randn, type Tensor } from "../src/index.js";
import { printTable, timeIt } from "./table.js";

const D = 128;
const BATCH = 8;
const T = 128;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

class Block extends nn.Module {
  ln1 = new nn.LayerNorm(D);
  qkv = new nn.Linear(D, 3 * D);
  proj = new nn.Linear(D, D);
  ln2 = new nn.LayerNorm(D);
  fc1 = new nn.Linear(D, 4 * D);
  fc2 = new nn.Linear(4 * D, D);
  drop = new nn.Dropout(0.1);

  forward(x: Tensor): Tensor {
    const [q, k, v] = this.qkv.forward(this.ln1.forward(x)).split(D, -1) as [Tensor, Tensor, Tensor]; // (B, T, D) each
    const att = this.drop.forward(q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(D)).softmax(-1)); // (B, T, T)
    const h = x.add(this.drop.forward(this.proj.forward(att.matmul(v))));
    return h.add(this.drop.forward(this.fc2.forward(this.fc1.forward(this.ln2.forward(h)).gelu())));
  }
}

function forward(blocks: Block[], x: Tensor, every: number): Tensor {
  let h = x;
  blocks.forEach((b, i) => {
    h = every > 0 && i % every === 0 ? autograd.checkpoint((y: Tensor) => b.forward(y), h) : b.forward(h);
  });
  return h.square().mean();
}

/** Typed-array bytes after full collections; V8 frees array buffers on a background sweep, so wait for it. */
async function settledArrayBytes(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().arrayBuffers;
}

async function graphBytes(blocks: Block[], x: Tensor, every: number): Promise<number> {
  const before = await settledArrayBytes();
  const loss = forward(blocks, x, every);
  const held = (await settledArrayBytes()) - before;
  loss.backward();
  return held;
}

export async function run(): Promise<void> {
  const layers = Number(process.env.CHECKPOINT_BENCH_LAYERS ?? 12);
  const repeats = Number(process.env.CHECKPOINT_BENCH_REPEATS ?? 3);
  try {
    useFastBackend();
  } catch {
    // the reference backend measures the same memory
  }
  manualSeed(0);
  const blocks = Array.from({ length: layers }, () => new Block());
  const x = randn([BATCH, T, D], { requiresGrad: true });
  const rows: (string | number)[][] = [];
  let baseTime = 0;
  for (const [label, every] of [["none", 0], ["every block", 1], ["every 2nd block", 2]] as const) {
    const mib = (await graphBytes(blocks, x, every)) / 2 ** 20;
    const seconds = timeIt(() => forward(blocks, x, every).backward(), repeats, 1);
    if (every === 0) baseTime = seconds;
    rows.push([label, mib, seconds * 1000, `${((seconds / baseTime - 1) * 100).toFixed(0)}%`]);
  }
  console.log(`${layers} blocks, d ${D}, batch ${BATCH} × ${T} tokens, dropout 0.1: forward + backward`);
  printTable(["checkpointing", "graph MiB after forward", "ms per step", "time vs none"], rows);
}
