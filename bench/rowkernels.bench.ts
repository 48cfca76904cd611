/**
 * Fused row kernels of a transformer step (GPT-2 small widths: C = 768, V = 8192 classes, 4C MLP; and
 * a TINY-GPT-shaped attention call),
 * reference TypeScript backend vs the WebAssembly SIMD backend (one thread and all), as millions of elements per second
 * (copies into and out of kernel memory included, since every call pays them).
 */
import type { AdamWHyperparameters } from "../src/backend/backend.js";
import type { AttentionSizes } from "../src/backend/reference/attention.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";
import { createWasmBackend, defaultThreadCount } from "../src/backend/wasm/index.js";
import { printTable, timeIt } from "./table.js";

export async function run(): Promise<void> {
  const reference = new ReferenceBackend();
  const wasm = createWasmBackend({ threads: 1 });
  const threads = defaultThreadCount();
  const wasmAll = createWasmBackend({ threads });
  const rows = 256;
  const C = 768;
  const V = 8192;
  const fill = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale);
  const x = fill(rows * C, 2);
  const w = fill(C);
  const b = fill(C, 0.1);
  const dy = fill(rows * C, 0.5);
  const logits = fill(rows * V, 4);
  const targets = Int32Array.from({ length: rows }, (_, i) => (i * 31) % V);
  const h = fill(rows * 4 * C, 3);
  const nParams = 1 << 20;
  const attN = 64, attT = 128, attD = 32;
  const adam: AdamWHyperparameters = {
    lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: true, step: 10, maximize: false,
  };

  const cases: [string, number, (be: ReferenceBackend) => () => void][] = [
    [`layerNorm forward [${rows}, ${C}]`, rows * C, (be) => {
      const out = new Float32Array(rows * C), mean = new Float32Array(rows), rstd = new Float32Array(rows);
      return () => be.layerNormForward(out, mean, rstd, x, w, b, rows, C, 1e-5);
    }],
    [`layerNorm backward [${rows}, ${C}]`, rows * C, (be) => {
      const out = new Float32Array(rows * C), mean = new Float32Array(rows), rstd = new Float32Array(rows);
      be.layerNormForward(out, mean, rstd, x, w, b, rows, C, 1e-5);
      const dx = new Float32Array(rows * C), dw = new Float32Array(C), db = new Float32Array(C);
      return () => be.layerNormBackward(dx, dw, db, dy, x, mean, rstd, w, rows, C);
    }],
    // RMSNorm at TINY/SMALL GPT widths (2,048 tokens a step).
    ...[128, 384].map((cols): [string, number, (be: ReferenceBackend) => () => void] => [
      `RMSNorm fwd+bwd [2048, ${cols}]`, 2048 * cols, (be) => {
        const n = 2048 * cols, xs = fill(n, 2), ws = fill(cols), g = fill(n, 0.5);
        const out = new Float32Array(n), rstd = new Float32Array(2048), dx = new Float32Array(n), dw = new Float32Array(cols);
        return () => {
          be.rmsNormForward(out, rstd, xs, ws, 2048, cols, 1e-5);
          be.rmsNormBackward(dx, dw, g, xs, rstd, ws, 2048, cols);
        };
      },
    ]),
    // Token embedding of a TINY (16·128 ids, 128 dims) and SMALL (8·256 ids, 384 dims) GPT step with
    // its vocabulary of 96, and with a 4096-token BPE vocabulary; elements are the looked-up values.
    ...([[2048, 128, 96], [2048, 128, 4096], [2048, 384, 96]] as const).map(([n, dim, num]): [string, number, (be: ReferenceBackend) => () => void] => [
      `embedding fwd+bwd [${n}, ${dim}] vocab ${num}`, n * dim, (be) => {
        const table = fill(num * dim), g = fill(n * dim, 0.5), out = new Float32Array(n * dim);
        const dTable = new Float32Array(num * dim); // accumulated into by every call
        const ids = Int32Array.from({ length: n }, (_, i) => (i * 7919 + (i >> 3)) % num);
        return () => {
          be.embeddingForward(out, table, ids, n, dim, num);
          be.embeddingBackward(dTable, g, ids, n, dim, num, null);
        };
      },
    ]),
    [`softmax forward [${rows}, ${V}]`, rows * V, (be) => {
      const out = new Float32Array(rows * V);
      return () => be.softmaxForward(out, logits, rows, V, false);
    }],
    [`cross-entropy fwd+bwd [${rows}, ${V}]`, rows * V, (be) => {
      const d = new Float32Array(rows * V), g = new Float64Array(rows).fill(1 / rows), zero = new Float64Array(rows);
      return () => {
        const f = be.crossEntropyForward(logits, targets, null, rows, V, -100);
        be.crossEntropyBackward(d, logits, targets, null, f.lse, g, zero, rows, V, -100);
      };
    }],
    [`GELU tanh fwd+bwd [${rows}, ${4 * C}]`, rows * 4 * C, (be) => {
      const y = new Float32Array(h.length), dx = new Float32Array(h.length);
      return () => {
        be.geluForward(y, h, h.length, "tanh");
        be.geluBackward(dx, y, h, h.length, "tanh");
      };
    }],
    // TINY-GPT-shaped causal attention (B·H = 64 blocks, T = S = 128, D = 32): the fused wasm kernel vs
    // the reference streaming kernel; elements are the attended scores, N·T·(T+1)/2.
    [`attention fwd+bwd causal [${attN}, ${attT}, ${attD}]`, attN * attT * (attT + 1) / 2, (be) => {
      const op = () => ({ data: fill(attN * attT * attD), offsets: Int32Array.from({ length: attN }, (_, i) => i * attT * attD), strideRow: attD });
      const aq = op(), ak = op(), av = op();
      const sz: AttentionSizes = {
        n: attN, t: attT, s: attT, d: attD, dv: attD, scale: 1 / Math.sqrt(attD), causalOffset: 0, alibi: null, dropout: 0, seed: [0, 0],
      };
      const out = new Float32Array(attN * attT * attD), lse = new Float64Array(attN * attT), dOut = fill(out.length, 0.3);
      const dq = new Float32Array(out.length), dk = new Float32Array(out.length), dv = new Float32Array(out.length);
      return () => {
        be.attentionForward(out, lse, null, aq, ak, av, null, sz);
        be.attentionBackward(dq, dk, dv, null, dOut, out, lse, aq, ak, av, null, sz);
      };
    }],
    [`AdamW step (${nParams} params)`, nParams, (be) => {
      const p = fill(nParams), g = fill(nParams, 0.01), m = new Float32Array(nParams), v = new Float32Array(nParams);
      return () => be.adamwUpdate(p, g, m, v, null, adam);
    }],
  ];

  const rowsOut: (string | number)[][] = [];
  for (const [label, elements, make] of cases) {
    const [ref = 0, one = 0, all = 0] = [reference, wasm, wasmAll].map((be) => elements / timeIt(make(be), 7, 2) / 1e6);
    rowsOut.push([label, ref, one, all, one / ref]);
  }
  console.log(`wasm kernels: ${wasm.variant}; M elements/s, median call (higher is better)`);
  console.log("softmax, cross-entropy and GELU split rows, attention its (batch, head) blocks across threads; LayerNorm, RMSNorm, embedding and AdamW use one\n");
  printTable(["kernel", "reference", "wasm 1 thread", `wasm ${threads} threads`, "wasm 1 thread / reference"], rowsOut);
}
