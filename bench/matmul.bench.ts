/**
 * Matrix product throughput (GFLOPS = 2·batch·m·n·k / seconds), float32: square n × n products in all
 * four layouts, batched products shaped like a GPT's attention (B = 4 sequences × 12 heads, T = 128,
 * head size 64), then the products of one TINY GPT training step (4 layers, C = 128, B·T = 2048 rows,
 * vocabulary 96). Compared in this one process: the reference TypeScript backend, the native backend
 * (AVX-512/AVX2, where built) and the WebAssembly backend on one thread and on all threads, and
 * TensorFlow.js's cpu (plain JavaScript) and wasm
 * (XNNPACK) backends. The plain-JavaScript columns skip the TINY rows (below 1 GFLOPS a call takes
 * seconds; the square rows already show them).
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { MatmulLayout } from "../src/backend/backend.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";
import { createWasmBackend, defaultThreadCount } from "../src/backend/wasm/index.js";
import { createNativeBackend, type NativeBackend } from "../src/backend/native/index.js";
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
  /** C (+)= A·B onto a bias-filled output, as Linear/Conv1D's addmm runs (loom's backends only). */
  accumulate?: boolean;
  /** Skip the plain-JavaScript columns (reference, tfjs cpu). */
  fastOnly?: boolean;
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
  ...tinyGptShapes(),
];

/**
 * One TINY GPT training step (M = B·T = 2048 rows, C = 128, MLP 512, vocabulary 96), each product as
 * the autograd issues it: forward x·W onto bias rows (q, k and v in one c_attn product; with RoPE or
 * a KV cache they are three [C, C] column blocks of it, the shape of attn.c_proj), lm_head x·wteᵀ;
 * backward dX = dY·Wᵀ (A·Bᵀ) and dW = Xᵀ·dY (Aᵀ·B, k = 2048). Per layer: 3 products of each kind.
 */
function tinyGptShapes(): Shape[] {
  const M = 2048;
  const row = (label: string, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate = false): Shape =>
    ({ label: `GPT TINY ${label}`, batch: 1, m, n, k, transA, transB, accumulate, fastOnly: true });
  // [in, out] of each weight as stored (Conv1D); lm_head's wte is [96, 128].
  const linears: [string, number, number][] = [["attn.c_proj (q/k/v with RoPE)", 128, 128], ["c_attn", 128, 384], ["mlp.c_fc", 128, 512], ["mlp.c_proj", 512, 128]];
  return [
    ...linears.map(([name, i, o]) => row(`${name} fwd ${M}×${i}·${i}×${o}`, M, i, o, false, false, true)),
    row(`lm_head fwd ${M}×128·(96×128)ᵀ`, M, 128, 96, false, true),
    ...linears.map(([name, i, o]) => row(`${name} dX ${M}×${o}·(${i}×${o})ᵀ`, M, o, i, false, true)),
    row(`lm_head dX ${M}×96·96×128`, M, 96, 128, false, false),
    ...linears.map(([name, i, o]) => row(`${name} dW (${M}×${i})ᵀ·${M}×${o}`, i, M, o, true, false)),
    row(`lm_head dW (${M}×128)ᵀ·${M}×96`, 128, M, 96, true, false),
  ];
}

/**
 * GFLOPS from the fastest call among as many as fit in about `budget` seconds (3 to 100, after one
 * untimed call). The fastest rather than the median, because this machine's cores are shared and a
 * slow call measures the neighbours (a sub-millisecond product needs many calls to catch a quiet
 * one); a first call slower than the budget is the measurement itself.
 */
function gflops(flops: number, fn: () => void, budget = 0.5): number {
  const first = timeIt(fn, 1, 0);
  let best = first;
  if (first <= budget) {
    const repeats = Math.max(3, Math.min(100, Math.round(budget / first)));
    for (let i = 0; i < repeats; i++) best = Math.min(best, timeIt(fn, 1, 0));
  }
  return flops / best / 1e9;
}

function backendRunner(backend: { matmul: ReferenceBackend["matmul"] }): Runner {
  return (s, a, b) => {
    const out = new Float32Array(s.batch * s.m * s.n);
    const layout: MatmulLayout = {
      batch: s.batch, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB,
      strideA: s.m * s.k, strideB: s.k * s.n, offsetA: 0, offsetB: 0, accumulate: s.accumulate ?? false,
    };
    // Accumulating calls keep adding onto `out`; the values grow but the work does not change.
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

  const headers = ["product", "reference"];
  const runners: Runner[] = [backendRunner(new ReferenceBackend())];
  /** Plain-JavaScript columns, skipped on fastOnly rows. */
  const slow = [true];
  let native: [NativeBackend, NativeBackend] | undefined;
  try {
    native = [createNativeBackend({ threads: 1 }), createNativeBackend({ threads })];
    headers.push(`native 1 thread`, `native ${threads} threads`);
    runners.push(backendRunner(native[0]), backendRunner(native[1]));
    slow.push(false, false);
    notes.push(`native kernels: ${native[0].isa}`);
  } catch (e) {
    notes.push(`native omitted: ${(e as Error).message}`);
  }
  headers.push("wasm 1 thread", `wasm ${threads} threads`);
  runners.push(backendRunner(one), backendRunner(all));
  slow.push(false, false);
  for (const [name, r, isSlow] of [["tfjs cpu", tfCpu, true], ["tfjs wasm", tfWasm, false]] as const) {
    if (typeof r === "string") {
      notes.push(`${name} omitted: ${r}`);
    } else {
      headers.push(name);
      runners.push(r);
      slow.push(isSlow);
    }
  }

  const rows: (string | number)[][] = [];
  for (const s of shapes) {
    const a = Float32Array.from({ length: s.batch * s.m * s.k }, (_, i) => Math.sin(i) * 0.5);
    const b = Float32Array.from({ length: s.batch * s.k * s.n }, (_, i) => Math.cos(i) * 0.5);
    const flops = 2 * s.batch * s.m * s.n * s.k;
    rows.push([s.label, ...runners.map((r, i) => (s.fastOnly && slow[i] ? "–" : gflops(flops, r(s, a, b))))]);
  }
  notes.push("GPT TINY fwd rows accumulate onto bias rows in loom's backends (tfjs: plain product)");
  for (const note of notes) console.log(note);
  console.log("GFLOPS, fastest call (higher is better)\n");
  printTable(headers, rows);
  if (native && (native[0].amx || native[0].features.avx512bf16)) bf16Table(native, threads);
}

/**
 * bf16 products in all four layouts (bfloat16 bits read in place by `matmulBf16Layout`, fp32 sums; AMX
 * tiles where present, else vdpbf16ps) against the fp32 kernel on the same values, one thread and all.
 */
function bf16Table(native: [NativeBackend, NativeBackend], threads: number): void {
  const rows: (string | number)[][] = [];
  for (const n of [256, 512, 1024]) {
    for (const [name, transA, transB] of layouts) {
      const a = Uint16Array.from({ length: n * n }, (_, i) => 0x3f00 + (i % 97));
      const b = Uint16Array.from({ length: n * n }, (_, i) => 0x3e80 + (i % 89));
      const af = new Float32Array(Uint32Array.from(a, (v) => v << 16).buffer);
      const bf = new Float32Array(Uint32Array.from(b, (v) => v << 16).buffer);
      const out = new Float32Array(n * n);
      const flops = 2 * n * n * n;
      const layout: MatmulLayout = { batch: 1, m: n, n, k: n, transA, transB, strideA: 0, strideB: 0, offsetA: 0, offsetB: 0, accumulate: false };
      const cells: number[] = [];
      for (const be of native) {
        const fp32 = gflops(flops, () => be.matmul(out, af, bf, layout));
        const bf16 = gflops(flops, () => be.matmulBf16Layout(out, a, b, layout));
        cells.push(fp32, bf16, bf16 / fp32);
      }
      rows.push([`${n} ${name}`, ...cells]);
    }
  }
  const kernel = native[0].amx ? "AMX-BF16 tiles" : "AVX-512 BF16 vdpbf16ps";
  console.log(`\nbf16 GEMM (${kernel}, fp32 accumulation) vs fp32, native backend, GFLOPS, fastest call\n`);
  printTable(["product", "fp32 1 thread", "bf16 1 thread", "ratio", `fp32 ${threads} threads`, `bf16 ${threads} threads`, "ratio"], rows);
}
