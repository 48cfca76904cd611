/**
 * Matrix product throughput (GFLOPS = 2·n³ / seconds) for square n × n float32 operands in all four
 * layouts: the reference TypeScript backend, the WebAssembly backend on one thread and on all threads,
 * and TensorFlow.js's cpu (plain JavaScript) and wasm (XNNPACK) backends, all in this one process.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { MatmulLayout } from "../src/backend/backend.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";
import { createWasmBackend, defaultThreadCount } from "../src/backend/wasm/index.js";
import { printTable, timeIt } from "./table.js";

type Tf = typeof import("@tensorflow/tfjs");
type MatmulFn = (a: Float32Array, b: Float32Array, transA: boolean, transB: boolean) => void;

const sizes = [256, 512, 1024];
const layouts: [string, boolean, boolean][] = [
  ["A·B", false, false],
  ["A·Bᵀ", false, true],
  ["Aᵀ·B", true, false],
  ["Aᵀ·Bᵀ", true, true],
];

/**
 * GFLOPS of `fn` from its fastest call among as many as fit in about `budget` seconds (3 to 25, after
 * one untimed call). The fastest rather than the median, because this machine's cores are shared and a
 * slow call measures the neighbours; a first call slower than the budget is the measurement itself.
 */
function gflops(n: number, fn: () => void, budget = 0.5): number {
  const first = timeIt(fn, 1, 0);
  let best = first;
  if (first <= budget) {
    const repeats = Math.max(3, Math.min(25, Math.round(budget / first)));
    for (let i = 0; i < repeats; i++) best = Math.min(best, timeIt(fn, 1, 0));
  }
  return (2 * n ** 3) / best / 1e9;
}

function backendMatmul(backend: { matmul: ReferenceBackend["matmul"] }, n: number): MatmulFn {
  const out = new Float32Array(n * n);
  return (a, b, transA, transB) => {
    const layout: MatmulLayout = { batch: 1, m: n, n, k: n, transA, transB, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
    backend.matmul(out, a, b, layout);
  };
}

/** A TensorFlow.js backend as a MatmulFn factory, or the reason it could not start. */
async function tfBackend(tf: Tf, name: string): Promise<((n: number) => MatmulFn) | string> {
  try {
    if (!(await tf.setBackend(name))) return "did not initialise";
    await tf.ready();
  } catch (e) {
    return (e as Error).message;
  }
  return (n) => (a, b, transA, transB) => {
    // The backend must be active while its tensors live; switch per call (cheap when already active).
    void tf.setBackend(name);
    const ta = tf.tensor2d(a, [n, n]);
    const tb = tf.tensor2d(b, [n, n]);
    const c = tf.matMul(ta, tb, transA, transB);
    c.dataSync();
    tf.dispose([ta, tb, c]);
  };
}

export async function run(): Promise<void> {
  const threads = defaultThreadCount();
  const one = createWasmBackend({ threads: 1 });
  const all = createWasmBackend({ threads });
  const reference = new ReferenceBackend();

  const notes: string[] = [`wasm kernels: ${one.variant}; all threads = ${threads}`];
  const tf = (await import("@tensorflow/tfjs")) as Tf;
  const tfCpu = await tfBackend(tf, "cpu");
  let tfWasm: ((n: number) => MatmulFn) | string;
  try {
    const wasmPkg = await import("@tensorflow/tfjs-backend-wasm");
    // Load the XNNPACK binaries from node_modules (no network).
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasmPkg.setWasmPaths(`${dir}/`);
    tfWasm = await tfBackend(tf, "wasm");
  } catch (e) {
    tfWasm = (e as Error).message;
  }
  if (typeof tfCpu === "string") notes.push(`tfjs cpu omitted: ${tfCpu}`);
  if (typeof tfWasm === "string") notes.push(`tfjs wasm omitted: ${tfWasm}`);

  const headers = ["n", "layout", "reference", "wasm 1 thread", `wasm ${threads} threads`];
  if (typeof tfCpu !== "string") headers.push("tfjs cpu");
  if (typeof tfWasm !== "string") headers.push("tfjs wasm");
  const rows: (string | number)[][] = [];
  for (const n of sizes) {
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i) * 0.5);
    const fns: MatmulFn[] = [backendMatmul(reference, n), backendMatmul(one, n), backendMatmul(all, n)];
    if (typeof tfCpu !== "string") fns.push(tfCpu(n));
    if (typeof tfWasm !== "string") fns.push(tfWasm(n));
    for (const [label, transA, transB] of layouts) {
      rows.push([n, label, ...fns.map((fn) => gflops(n, () => fn(a, b, transA, transB)))]);
    }
  }
  for (const note of notes) console.log(note);
  console.log("GFLOPS, fastest call (higher is better)\n");
  printTable(headers, rows);
}
