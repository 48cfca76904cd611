/**
 * Foundation benchmarks: elementwise throughput and an MLP training step (forward, backward, SGD update),
 * loom beside TensorFlow.js's cpu backend in the same process. Matmul GFLOPS are in matmul.bench.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { manualSeed, randn, ops, Tensor, noGrad } from "../src/index.js";
import { printTable, timeIt } from "./table.js";

async function tfReady(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

function elementwiseRows(): (string | number)[][] {
  const n = 1 << 20;
  manualSeed(0);
  const a = randn([n]);
  const b = randn([n]);
  const bRow = randn([1024]);
  const a2 = a.reshape(1024, 1024);
  const ta = tf.randomNormal([n]);
  const tb = tf.randomNormal([n]);
  const ta2 = ta.reshape([1024, 1024]);
  const tbRow = tf.randomNormal([1024]);
  const cases: [string, () => unknown, (() => tf.Tensor) | null][] = [
    ["add (same shape)", () => a.add(b), () => tf.add(ta, tb)],
    ["mul by scalar", () => a.mul(2), () => tf.mul(ta, 2)],
    ["add row broadcast [1024,1024]+[1024]", () => a2.add(bRow), () => tf.add(ta2, tbRow)],
    ["exp", () => a.exp(), () => tf.exp(ta)],
    ["relu", () => a.relu(), () => tf.relu(ta)],
    ["gelu (tanh; tfjs has none)", () => a.gelu({ approximate: "tanh" }), null],
    ["sum", () => a.sum(), () => tf.sum(ta)],
    ["softmax rows [1024,1024]", () => a2.softmax(-1), () => tf.softmax(ta2)],
  ];
  return cases.map(([name, loom, tfFn]) => {
    const t1 = timeIt(() => void loom(), 7, 2);
    const t2 = tfFn === null
      ? NaN
      : timeIt(() => {
          const r = tfFn();
          r.dataSync();
          r.dispose();
        }, 7, 2);
    const mElems = n / 1e6;
    return [name, mElems / t1, Number.isNaN(t2) ? "—" : mElems / t2, Number.isNaN(t2) ? "—" : t2 / t1];
  });
}

function mlpStep(): (string | number)[][] {
  // 784 → 256 → 10, batch 64, tanh, softmax cross-entropy, plain SGD.
  const [B, D, H, C] = [64, 784, 256, 10];
  manualSeed(1);
  const w1 = randn([D, H]).mul(0.05).requiresGrad_();
  const b1 = randn([H]).mul(0).requiresGrad_();
  const w2 = randn([H, C]).mul(0.05).requiresGrad_();
  const b2 = randn([C]).mul(0).requiresGrad_();
  const x = randn([B, D]);
  const yIdx = new Int32Array(B).map((_, i) => i % C);
  const params = [w1, b1, w2, b2];
  const loomStep = () => {
    const h = x.matmul(w1).add(b1).tanh();
    const logits = h.matmul(w2).add(b2);
    const loss = ops.logSoftmax(logits, 1);
    // nll via mean of picked log-probs, kept to core ops so this bench needs only the tensor layer
    const picked = loss.mul(oneHot).sum(1).mean().neg();
    picked.backward();
    noGrad(() => {
      for (const p of params) {
        const d = p.storage as Float32Array;
        const g = p.grad?.storage as Float32Array;
        for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) - 0.01 * (g[i] as number);
        p.grad = null;
      }
    });
  };
  const oh = new Float32Array(B * C);
  yIdx.forEach((c, i) => (oh[i * C + c] = 1));
  const oneHot = new Tensor(oh, [B, C]);

  const tw1 = tf.variable(tf.randomNormal([D, H], 0, 0.05));
  const tb1 = tf.variable(tf.zeros([H]));
  const tw2 = tf.variable(tf.randomNormal([H, C], 0, 0.05));
  const tb2 = tf.variable(tf.zeros([C]));
  const tx = tf.randomNormal([B, D]);
  const ty = tf.oneHot(tf.tensor1d(Array.from(yIdx), "int32"), C);
  const opt = tf.train.sgd(0.01);
  const tfStep = () => {
    const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(ty, tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(tx, tw1), tb1)), tw2), tb2)) as tf.Scalar, true);
    cost?.dataSync();
    cost?.dispose();
  };
  const t1 = timeIt(loomStep, 7, 2);
  const t2 = timeIt(tfStep, 7, 2);
  return [["MLP 784-256-10 train step, batch 64", 1000 * t1, 1000 * t2, t2 / t1]];
}

export async function run(): Promise<void> {
  await tfReady();
  console.log("Elementwise throughput (1M float32 elements), M elements/s:\n");
  printTable(["op", "loom", "tfjs-cpu", "loom/tfjs"], elementwiseRows());
  console.log("\nMLP training step (ms per step; lower is better):\n");
  printTable(["case", "loom ms", "tfjs-cpu ms", "speed-up"], mlpStep());
}
