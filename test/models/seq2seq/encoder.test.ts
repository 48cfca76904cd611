import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, noGrad, tensor, Tensor } from "../../../src/index.js";
import { seq2seqConfig } from "../../../src/models/seq2seq/config.js";
import { Seq2SeqEncoder } from "../../../src/models/seq2seq/encoder.js";

const src = tensor([[3, 4, 5, 6], [7, 8, 0, 0]], { dtype: "int32" });
const lengths = [4, 2];

test("encoder: bidirectional final states of each layer are bridged as tanh(W [h→; h←] + b) (LSTM: c without tanh)", () => {
  manualSeed(0);
  const config = seq2seqConfig({ srcVocab: 9, tgtVocab: 9, embedDim: 3, hiddenSize: 4, cell: "lstm", encoderLayers: 2, bidirectionalEncoder: true, dtype: "float64" });
  const enc = new Seq2SeqEncoder(config);
  const out = noGrad(() => enc.forward(src, lengths));
  // The raw final states straight from the layer: [L·2, B, H] with index 2·l + d (PyTorch's layout).
  const [, [h, c]] = noGrad(() => enc.rnn.forward(enc.embedding.forward(src), null, { lengths })) as [Tensor, [Tensor, Tensor]];
  const hN = h.toArray() as number[][][];
  const cN = c.toArray() as number[][][];
  const [h0, c0] = out.initial as [Tensor, Tensor];
  assert.deepEqual(h0.shape, [2, 2, 4]);
  const bridge = (w: number[][], bias: number[], x: number[], squash: boolean): number[] =>
    w.map((row, i) => {
      const z = row.reduce((s, wij, j) => s + wij * x[j]!, bias[i]!);
      return squash ? Math.tanh(z) : z;
    });
  const wh = enc.bridge_h!.weight.toArray() as number[][];
  const bh = enc.bridge_h!.bias!.toArray() as number[];
  const wc = enc.bridge_c!.weight.toArray() as number[][];
  const bc = enc.bridge_c!.bias!.toArray() as number[];
  for (let l = 0; l < 2; l++) {
    for (let b = 0; b < 2; b++) {
      const eh = bridge(wh, bh, [...hN[2 * l]![b]!, ...hN[2 * l + 1]![b]!], true);
      const ec = bridge(wc, bc, [...cN[2 * l]![b]!, ...cN[2 * l + 1]![b]!], false);
      (h0.toArray() as number[][][])[l]![b]!.forEach((x, i) => assert.ok(Math.abs(x - eh[i]!) < 1e-12));
      (c0.toArray() as number[][][])[l]![b]!.forEach((x, i) => assert.ok(Math.abs(x - ec[i]!) < 1e-12));
    }
  }
  assert.deepEqual(out.states.shape, [2, 4, 8]);
  assert.deepEqual(out.mask.toArray(), [[true, true, true, true], [true, true, false, false]]);
  // Encoder states are zero at padding (packed-sequence behaviour of the layer).
  assert.deepEqual((out.states.toArray() as number[][][])[1]![3], new Array(8).fill(0));
});

test("encoder: a unidirectional encoder hands its final state over unchanged and has no bridge", () => {
  manualSeed(1);
  const enc = new Seq2SeqEncoder(seq2seqConfig({ srcVocab: 9, tgtVocab: 9, embedDim: 3, hiddenSize: 4, cell: "gru", bidirectionalEncoder: false }));
  const out = noGrad(() => enc.forward(src, lengths));
  const [, hN] = noGrad(() => enc.rnn.forward(enc.embedding.forward(src), null, { lengths })) as [Tensor, Tensor];
  assert.equal(enc.bridge_h, null);
  assert.deepEqual((out.initial as Tensor).toArray(), hN.toArray());
  // Row 1's final state is its state after its 2 real tokens, not after the padding.
  const short = noGrad(() => enc.forward(tensor([[7, 8]], { dtype: "int32" }), [2]));
  const a = ((out.initial as Tensor).toArray() as number[][][])[0]![1]!;
  const b = ((short.initial as Tensor).toArray() as number[][][])[0]![0]!;
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-6));
});
