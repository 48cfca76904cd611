/**
 * Long-range memory: a plain RNN against an LSTM on "remember the first token".
 *
 * Each sequence opens with one of K tokens, flagged by a marker channel, and continues with T − 1
 * blank steps (or random tokens with `noise`); after the last step the model must name the first
 * token. Information has to survive T steps, and the gradient that teaches it has to flow back
 * T steps — where a tanh RNN's gradient
 * vanishes (Bengio, Simard & Frasconi 1994) and the LSTM's additive cell path keeps it alive
 * (Hochreiter & Schmidhuber 1997). The example prints both accuracies and ‖∂L/∂h_t‖ per time step
 * at initialisation, recorded with nn.recordStepGradNorms. Both models train with Adam under the same
 * settings; the LSTM starts with a large forget-gate bias and a mostly closed input gate (see the
 * options). With the defaults (T = 100, 300 steps) the run printed RNN accuracy 0.225 (chance 0.25)
 * and LSTM 1.000, in a few minutes on a shared 2-core machine. Shorter sequences (T = 60) are within
 * the tanh RNN's reach with Adam, which rescales its tiny long-lag gradients.
 *
 * Run: npx tsx examples/long-range-memory.ts [--steps 300] [--length 100]
 * Shapes: B batch, T steps, K tokens (inputs one-hot plus the marker: K + 1), H hidden.
 */
import { pathToFileURL } from "node:url";
import { Generator, Tensor, losses, manualSeed, nn, noGrad, ops, optim } from "loom";

export interface LongRangeOptions {
  /** Sequence length T (default 100). */
  length: number;
  /** Signal tokens K: chance accuracy is 1/K (default 4). */
  signals: number;
  hidden: number;
  batch: number;
  /** Training steps per model (default 300). */
  steps: number;
  lr: number;
  /** "adam" (default) or "sgd" (with momentum 0.9). */
  optimizer: "sgd" | "adam";
  /** Random tokens after the first instead of blank steps (default false; a harder task for both). */
  noise: boolean;
  /** LSTM forget-gate bias at initialisation (default 5: f ≈ 0.993, so f^100 ≈ 0.5). */
  forgetBias: number;
  /**
   * LSTM input-gate bias at initialisation (default −3): a mostly closed input gate keeps the blank
   * steps from filling the slowly forgetting cell until tanh(c) saturates; the marker learns to open it.
   */
  inputBias: number;
  seed: number;
  /** Print progress and the gradient-norm table (default true). */
  verbose: boolean;
}

export const defaultLongRangeOptions: LongRangeOptions = {
  length: 100, signals: 4, hidden: 24, batch: 32, steps: 300, lr: 0.01, optimizer: "adam", noise: false, forgetBias: 5, inputBias: -3, seed: 0, verbose: true,
};

export interface ModelResult {
  /** Accuracy on a fresh held-out batch of 512 sequences after training. */
  accuracy: number;
  /** Final training loss (mean of the last 10 steps). */
  loss: number;
  /** ‖∂L/∂h_t‖ for t = 0..T−1 at initialisation (loss at the last step only). */
  gradNorms: number[];
}

export interface LongRangeResult {
  rnn: ModelResult;
  lstm: ModelResult;
  chance: number;
}

/**
 * One batch: inputs [T, B, K + 1] — a one-hot token at the first step (and, with `noise`, random
 * tokens from the same K after it, else zeros), plus a marker channel that is 1 at the first step
 * only — and the first token of each row [B].
 */
function makeBatch(o: LongRangeOptions, batch: number, gen: Generator): { x: Tensor; y: Tensor } {
  const V = o.signals + 1;
  const x = new Float32Array(o.length * batch * V);
  const y = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < o.length; t++) {
      const token = Math.floor(gen.random() * o.signals);
      if (t === 0) y[b] = token;
      if (t === 0 || o.noise) x[(t * batch + b) * V + token] = 1;
    }
    x[b * V + o.signals] = 1;
  }
  return { x: new Tensor(x, [o.length, batch, V]), y: new Tensor(y, [batch]) };
}

/** A recurrent layer read out at its last step. */
class Classifier extends nn.Module {
  readonly rnn: nn.RNN | nn.LSTM;
  readonly head: nn.Linear;

  constructor(kind: "rnn" | "lstm", o: LongRangeOptions) {
    super();
    const V = o.signals + 1;
    this.rnn = kind === "lstm" ? new nn.LSTM(V, o.hidden) : new nn.RNN(V, o.hidden);
    this.head = new nn.Linear(o.hidden, o.signals);
  }

  /** x [T, B, V] → logits [B, K] */
  forward(x: Tensor): Tensor {
    const output = this.rnn instanceof nn.LSTM ? this.rnn.forward(x)[0] : this.rnn.forward(x)[0];
    return this.head.forward(output.select(0, (x.shape[0] ?? 1) - 1));
  }
}

export function trainOne(kind: "rnn" | "lstm", o: LongRangeOptions): ModelResult {
  manualSeed(o.seed);
  const model = new Classifier(kind, o);
  if (model.rnn instanceof nn.LSTM) {
    // A large forget-gate bias (Gers et al. 2000; Jozefowicz et al. 2015): the cell starts by remembering,
    // so the gradient reaches the first step (f^T with f = σ(b_f) ≈ 0.95 at b_f = 3).
    const H = o.hidden;
    const state = model.rnn.stateDict();
    nn.init.constant((state.get("bias_ih_l0") as Tensor).narrow(0, 0, H), o.inputBias);
    nn.init.constant((state.get("bias_ih_l0") as Tensor).narrow(0, H, H), o.forgetBias);
    nn.init.constant((state.get("bias_hh_l0") as Tensor).narrow(0, 0, 2 * H), 0);
  }
  const gen = new Generator(o.seed + 1);
  const probe = makeBatch(o, o.batch, gen);
  const [entry] = nn.recordStepGradNorms(() => {
    losses.crossEntropy(model.forward(probe.x), probe.y).backward();
  });
  model.zeroGrad();
  const gradNorms = [...(entry?.norms ?? [])];

  const opt = o.optimizer === "adam" ? new optim.Adam(model.parameters(), { lr: o.lr }) : new optim.SGD(model.parameters(), { lr: o.lr, momentum: 0.9 });
  const recent: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const { x, y } = makeBatch(o, o.batch, gen);
    const loss = losses.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1);
    opt.step();
    recent.push(loss.item());
    if (recent.length > 10) recent.shift();
    if (o.verbose && (step + 1) % 50 === 0) console.log(`${kind} step ${step + 1}: loss ${loss.item().toFixed(3)}`);
  }
  const test = makeBatch(o, 512, new Generator(o.seed + 2));
  const accuracy = noGrad(() => {
    const pred = ops.argmax(model.forward(test.x), 1).toTypedArray();
    const y = test.y.toTypedArray();
    let right = 0;
    for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) right++;
    return right / y.length;
  });
  return { accuracy, loss: recent.reduce((a, b) => a + b, 0) / recent.length, gradNorms };
}

export function main(options: Partial<LongRangeOptions> = {}): LongRangeResult {
  const o = { ...defaultLongRangeOptions, ...options };
  const rnn = trainOne("rnn", o);
  const lstm = trainOne("lstm", o);
  const result = { rnn, lstm, chance: 1 / o.signals };
  if (o.verbose) {
    console.log(`\nremember the first of ${o.length} tokens (${o.signals} classes, chance ${result.chance.toFixed(2)}):`);
    console.log(`  RNN  accuracy ${rnn.accuracy.toFixed(3)}  (final loss ${rnn.loss.toFixed(3)})`);
    console.log(`  LSTM accuracy ${lstm.accuracy.toFixed(3)}  (final loss ${lstm.loss.toFixed(3)})`);
    console.log("\n‖∂L/∂h_t‖ at initialisation (loss at the last step):");
    console.log("     t        RNN       LSTM");
    const T = o.length;
    const tens = Array.from({ length: Math.floor(T / 10) }, (_, i) => 10 * (i + 1));
    for (const t of [0, 1, 2, 5, ...tens, T - 5, T - 2, T - 1].filter((t, i, a) => t < T && a.indexOf(t) === i).sort((a, b) => a - b)) {
      console.log(`  ${String(t).padStart(4)}  ${(rnn.gradNorms[t] ?? 0).toExponential(2).padStart(9)}  ${(lstm.gradNorms[t] ?? 0).toExponential(2).padStart(9)}`);
    }
  }
  return result;
}

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const steps = flag("steps");
  const length = flag("length");
  main({ ...(steps === undefined ? {} : { steps }), ...(length === undefined ? {} : { length }) });
}
