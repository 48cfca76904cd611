/**
 * Matrix product throughput (GFLOPS = 2·batch·m·n·k / seconds), float32: square n × n products in all
 * four layouts, then batched products shaped like a GPT's attention (B = 4 sequences × 12 heads,
 * T = 128, head size 64). Compared in this one process: the reference TypeScript backend, the
 * WebAssembly backend on one thread and on all threads, and TensorFlow.js's cpu (plain JavaScript) and
 * wasm (XNNPACK) backends.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { MatmulLayout } from "../src/backend/backend.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";
import { createWasmBackend, defaultThreadCount } from "../src/backend/wasm/index.js";
import { printTable, timeIt } from "./table.js";

type Tf = typeof import("@tensorflow/tfjs");

interface Shape {
  label: string;
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** Prepares one shape; the returned function runs the product once. */
type Runner = (s: Shape, a: Float32Array, b: Float32Array) => () => void;

const layouts: [string, boolean, boolean][] = [
  ["A·B", false, false],
  ["A·Bᵀ", false, true],
  ["Aᵀ·B", true, false],
  ["Aᵀ·Bᵀ", true, true],
];

const shapes: Shape[] = [
  ...[256, 512, 1024].flatMap((n) => layouts.map(([l, transA, transB]) => ({ label: `${n} ${l}`, batch: 1, m: n, n, k: n, transA, transB }))),
  // [48, 128, 64] heads: scores Q·Kᵀ, output P·V, and the backward's dP = dO·Vᵀ, dV = Pᵀ·dO.
  { label: "48×(128×64 · (128×64)ᵀ)", batch: 48, m: 128, n: 128, k: 64, transA: false, transB: true },
  { label: "48×(128×128 · 128×64)", batch: 48, m: 128, n: 64, k: 128, transA: false, transB: false },
  { label: "48×((128×128)ᵀ · 128×64)", batch: 48, m: 128, n: 64, k: 128, transA: true, transB: false },
];

/**
 * GFLOPS from the fastest call among as many as fit in about `budget` seconds (3 to 25, after one
 * untimed call). The fastest rather than the median, because this machine's cores are shared and a
 * slow call measures the neighbours; a first call slower than the budget is the measurement itself.
 */
function gflops(flops: number, fn: () => void, budget = 0.5): number {
  const first = timeIt(fn, 1, 0);
  let best = first;
  if (first <= budget) {
    const repeats = Math.max(3, Math.min(25, Math.round(budget / first)));
    for (let i = 0; i < repeats; i++) best = Math.min(best, timeIt(fn, 1, 0));
  }
  return flops / best / 1e9;
}

function backendRunner(backend: { matmul: ReferenceBackend["matmul"] }): Runner {
  return (s, a, b) => {
    const out = new Float32Array(s.batch * s.m * s.n);
    const layout: MatmulLayout = {
      batch: s.batch, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB,
      strideA: s.m * s.k, strideB: s.k * s.n, offsetA: 0, offsetB: 0, accumulate: false,
    };
    return () => backend.matmul(out, a, b, layout);
  };
}

/** A TensorFlow.js backend as a Runner, or the reason it could not start. */
async function tfRunner(tf: Tf, name: string): Promise<Runner | string> {
  try {
    if (!(await tf.setBackend(name))) return "did not initialise";
    await tf.ready();
  } catch (e) {
    return (e as Error).message;
  }
  return (s, a, b) => () => {
    // The backend must be active while its tensors live; switch per call (cheap when already active).
    void tf.setBackend(name);
    const ta = tf.tensor3d(a, s.transA ? [s.batch, s.k, s.m] : [s.batch, s.m, s.k]);
    const tb = tf.tensor3d(b, s.transB ? [s.batch, s.n, s.k] : [s.batch, s.k, s.n]);
    const c = tf.matMul(ta, tb, s.transA, s.transB);
    c.dataSync();
    tf.dispose([ta, tb, c]);
  };
}

export async function run(): Promise<void> {
  const threads = defaultThreadCount();
  const one = createWasmBackend({ threads: 1 });
  const all = createWasmBackend({ threads });
  const notes: string[] = [`wasm kernels: ${one.variant}; all threads = ${threads}`];

  const tf = (await import("@tensorflow/tfjs")) as Tf;
  const tfCpu = await tfRunner(tf, "cpu");
  let tfWasm: Runner | string;
  try {
    const wasmPkg = await import("@tensorflow/tfjs-backend-wasm");
    // Load the XNNPACK binaries from node_modules (no network).
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasmPkg.setWasmPaths(`${dir}/`);
    tfWasm = await tfRunner(tf, "wasm");
  } catch (e) {
    tfWasm = (e as Error).message;
  }

  const headers = ["product", "reference", "wasm 1 thread", `wasm ${threads} threads`];
  const runners: Runner[] = [backendRunner(new ReferenceBackend()), backendRunner(one), backendRunner(all)];
  for (const [name, r] of [["tfjs cpu", tfCpu], ["tfjs wasm", tfWasm]] as const) {
    if (typeof r === "string") {
      notes.push(`${name} omitted: ${r}`);
    } else {
      headers.push(name);
      runners.push(r);
    }
  }

  const rows: (string | number)[][] = [];
  for (const s of shapes) {
    const a = Float32Array.from({ length: s.batch * s.m * s.k }, (_, i) => Math.sin(i) * 0.5);
    const b = Float32Array.from({ length: s.batch * s.k * s.n }, (_, i) => Math.cos(i) * 0.5);
    const flops = 2 * s.batch * s.m * s.n * s.k;
    rows.push([s.label, ...runners.map((r) => gflops(flops, r(s, a, b)))]);
  }
  for (const note of notes) console.log(note);
  console.log("GFLOPS, fastest call (higher is better)\n");
  printTable(headers, rows);
}
