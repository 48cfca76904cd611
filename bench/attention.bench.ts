/**
 * Fused causal attention at the two GPT shapes of issue 5, forward and backward timed separately, one
 * thread: the WebAssembly backend (copies into and out of kernel memory included, as every call pays
 * them), and where the native kernels are built, the native backend on float32 operands and on bfloat16
 * ones — with bf16 products (vdpbf16ps, P̃ and dS rounded to bf16, as torch.autocast) and without (the
 * float32 products on widened rows). GFLOP/s counts the useful flops of the attended scores, N·T·(T+1)/2 under the causal mask
 * (D = Dv here): forward 4·D per score (Q·Kᵀ and P·V), backward 10·D (Q·Kᵀ recomputed, dO·Vᵀ, dV, dQ, dK).
 * Run alone: `npx tsx bench/attention.bench.ts` (best of several repetitions; the machine is shared).
 */
import type { AttentionSizes } from "../src/backend/reference/attention.js";
import type { Backend } from "../src/backend/backend.js";
import { createNativeBackend } from "../src/backend/native/index.js";
import { createWasmBackend } from "../src/backend/wasm/index.js";
import { float32ToBFloat16 } from "../src/io/half.js";
import { printTable } from "./table.js";

interface Shape {
  name: string;
  /** Row-blocks B·H, query = key length, head dim. */
  n: number;
  t: number;
  d: number;
}

const shapes: Shape[] = [
  { name: "TINY GPT (16·4 heads)", n: 64, t: 128, d: 32 },
  { name: "SMALL GPT (8·6 heads)", n: 48, t: 256, d: 64 },
];

/** Best seconds per call over `repeats` timed runs after one warm-up (best, not median: shared cores). */
function best(fn: () => void, repeats: number): number {
  fn();
  let top = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    top = Math.min(top, (performance.now() - t0) / 1000);
  }
  return top;
}

function fill(n: number, scale: number, phase: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase) * scale);
}

/** [fwd seconds, bwd seconds] for one causal call at `s` on `be`, float32 or bfloat16 (`bf16`) operands. */
function timeShape(be: Backend, s: Shape, repeats: number, bf16 = false): [number, number] {
  const { n, t, d } = s;
  const offsets = Int32Array.from({ length: n }, (_, i) => i * t * d);
  const sz: AttentionSizes = { n, t, s: t, d, dv: d, scale: 1 / Math.sqrt(d), causalOffset: 0, alibi: null, dropout: 0, seed: [0, 0] };
  const out = new Float32Array(n * t * d), lse = new Float64Array(n * t), dOut = fill(out.length, 0.3, 3);
  if (bf16) {
    const op = (phase: number) => ({ data: float32ToBFloat16(fill(n * t * d, 1, phase)), offsets, strideRow: d });
    const q = op(0), k = op(1), v = op(2), outHalf = new Uint16Array(out.length), dOutHalf = float32ToBFloat16(dOut);
    const dq = new Uint16Array(out.length), dk = new Uint16Array(out.length), dv = new Uint16Array(out.length);
    const forward = be.attentionForwardHalf?.bind(be), backward = be.attentionBackwardHalf?.bind(be);
    if (!forward || !backward) throw new Error(`${be.name}: no half attention kernel`);
    const fwd = best(() => forward("bfloat16", out, outHalf, lse, q, k, v, null, sz), repeats);
    const bwd = best(() => backward("bfloat16", dq, dk, dv, dOutHalf, out, lse, q, k, v, null, sz), repeats);
    return [fwd, bwd];
  }
  const op = (phase: number) => ({ data: fill(n * t * d, 1, phase), offsets, strideRow: d });
  const q = op(0), k = op(1), v = op(2);
  const dq = new Float32Array(out.length), dk = new Float32Array(out.length), dv = new Float32Array(out.length);
  const fwd = best(() => be.attentionForward(out, lse, null, q, k, v, null, sz), repeats);
  const bwd = best(() => be.attentionBackward(dq, dk, dv, null, dOut, out, lse, q, k, v, null, sz), repeats);
  return [fwd, bwd];
}

/** The native backends to time (none where the kernels are not built), and why not. */
function nativeRows(): { rows: [string, Backend, boolean][]; why: string | null } {
  try {
    const plain = createNativeBackend({ threads: 1, bf16Attention: false });
    const rows: [string, Backend, boolean][] = [["native fp32", plain, false], ["native bf16, float32 products", plain, true]];
    if (plain.features.avx512bf16) rows.push(["native bf16, bf16 products", createNativeBackend({ threads: 1, bf16Attention: true }), true]);
    return { rows, why: null };
  } catch (e) {
    return { rows: [], why: (e as Error).message };
  }
}

export async function run(): Promise<void> {
  const wasm = createWasmBackend({ threads: 1 });
  const native = nativeRows();
  const backends: [string, Backend, boolean][] = [["wasm fp32", wasm, false], ...native.rows];
  const rows: (string | number)[][] = [];
  for (const s of shapes) {
    for (const [label, be, bf16] of backends) {
      const [fwd, bwd] = timeShape(be, s, 9, bf16);
      const scores = s.n * s.t * (s.t + 1) / 2;
      rows.push([`${s.name} [${s.n}, ${s.t}, ${s.d}], ${label}`, fwd * 1e3, bwd * 1e3, scores * 4 * s.d / fwd / 1e9, scores * 10 * s.d / bwd / 1e9]);
    }
  }
  console.log(`wasm kernels: ${wasm.variant}; causal, one thread, best of 9 calls${native.why ? `; native: ${native.why}` : ""}`);
  printTable(["shape [B·H, T=S, D], kernels", "fwd ms", "bwd ms", "fwd GFLOP/s", "bwd GFLOP/s"], rows);
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await run();
