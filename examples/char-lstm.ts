/**
 * Character-level LSTM language model on a slice of the bundled State of the Union corpus
 * (Karpathy's char-rnn, small): the first `trainChars` characters train, the next `validChars`
 * validate. Training is truncated BPTT: the text is cut into B parallel streams, each step reads the
 * next T characters of every stream and carries the LSTM state, detached, into the next step.
 * Prints the validation loss next to the unigram baseline (the loss of predicting every character by
 * its training frequency) and a sample.
 *
 * Run: npx tsx examples/char-lstm.ts [--steps 300]   (LOOM_BACKEND=wasm for the WebAssembly matmuls)
 * Shapes: B streams (batch), T steps per chunk, V characters, E embedding, H hidden.
 */
import { pathToFileURL } from "node:url";
import { Generator, Tensor, data, losses, manualSeed, nn, noGrad, optim } from "loom";

export interface CharLstmOptions {
  trainChars: number;
  validChars: number;
  embedding: number;
  hidden: number;
  numLayers: number;
  /** Characters per chunk T (the truncation length of BPTT). */
  seqLen: number;
  /** Parallel streams B. */
  batch: number;
  steps: number;
  lr: number;
  /** Gradient clipping: maximum global L2 norm. */
  clip: number;
  sampleLength: number;
  temperature: number;
  seed: number;
  verbose: boolean;
}

export const defaultCharLstmOptions: CharLstmOptions = {
  trainChars: 200_000, validChars: 20_000, embedding: 32, hidden: 128, numLayers: 1, seqLen: 64, batch: 32, steps: 300,
  lr: 3e-3, clip: 1, sampleLength: 300, temperature: 0.8, seed: 0, verbose: true,
};

export interface CharLstmResult {
  /** Mean cross-entropy (nats per character) on the validation slice. */
  validationLoss: number;
  /** The same for the unigram model with add-one smoothing, estimated on the training slice. */
  unigramLoss: number;
  /** Mean training loss over the last 20 steps. */
  trainLoss: number;
  vocabSize: number;
  sample: string;
}

/** Embedding → LSTM → Linear over characters. */
export class CharLSTM extends nn.Module {
  readonly embed: nn.Embedding;
  readonly lstm: nn.LSTM;
  readonly head: nn.Linear;

  constructor(vocab: number, o: CharLstmOptions) {
    super();
    this.embed = new nn.Embedding(vocab, o.embedding);
    this.lstm = new nn.LSTM(o.embedding, o.hidden, { numLayers: o.numLayers, batchFirst: true });
    this.head = new nn.Linear(o.hidden, vocab);
  }

  /** ids [B, T] → logits [B, T, V] and the final state. */
  forward(ids: Tensor, state: nn.LSTMState | null): [Tensor, nn.LSTMState] {
    const [h, next] = this.lstm.forward(this.embed.forward(ids), state);
    return [this.head.forward(h), next];
  }
}

/** B streams of equal length cut from ids; chunk(p) gives inputs and next-character targets at p. */
function streams(ids: Int32Array, batch: number): { length: number; chunk: (p: number, T: number) => { x: Tensor; y: Tensor } } {
  const length = Math.floor(ids.length / batch);
  return {
    length,
    chunk: (p, T) => {
      const x = new Int32Array(batch * T);
      const y = new Int32Array(batch * T);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < T; t++) {
          x[b * T + t] = ids[b * length + p + t] as number;
          y[b * T + t] = ids[b * length + p + t + 1] as number;
        }
      }
      return { x: new Tensor(x, [batch, T]), y: new Tensor(y, [batch * T]) };
    },
  };
}

function evaluate(model: CharLSTM, ids: Int32Array, o: CharLstmOptions): number {
  const s = streams(ids, o.batch);
  let total = 0;
  let count = 0;
  let state: nn.LSTMState | null = null;
  noGrad(() => {
    for (let p = 0; p + 1 < s.length; p += o.seqLen) {
      const T = Math.min(o.seqLen, s.length - 1 - p);
      const { x, y } = s.chunk(p, T);
      const [logits, next] = model.forward(x, state);
      state = next;
      total += losses.crossEntropy(logits.reshape(-1, logits.shape[2] ?? 0), y).item() * y.size;
      count += y.size;
    }
  });
  return total / count;
}

function sample(model: CharLSTM, chars: string[], index: Map<string, number>, o: CharLstmOptions, prompt: string): string {
  const gen = new Generator(o.seed + 7);
  let out = prompt;
  noGrad(() => {
    let [logits, state] = model.forward(new Tensor(Int32Array.from([...prompt].map((c) => index.get(c) ?? 0)), [1, prompt.length]), null);
    for (let i = 0; i < o.sampleLength; i++) {
      const last = logits.select(1, (logits.shape[1] ?? 1) - 1).reshape(-1).div(o.temperature).softmax(-1).toTypedArray();
      let u = gen.random();
      let next = last.length - 1;
      for (let k = 0; k < last.length; k++) {
        u -= last[k] as number;
        if (u <= 0) {
          next = k;
          break;
        }
      }
      out += chars[next] ?? "";
      [logits, state] = model.forward(new Tensor(Int32Array.from([next]), [1, 1]), state);
    }
  });
  return out;
}

export function main(options: Partial<CharLstmOptions> = {}): CharLstmResult {
  const o = { ...defaultCharLstmOptions, ...options };
  manualSeed(o.seed);
  const text = data.readCorpus().map((d) => d.text).join("\n");
  const trainText = text.slice(0, o.trainChars);
  const validText = text.slice(o.trainChars, o.trainChars + o.validChars);
  const chars = ["\u0000", ...[...new Set(trainText)].sort()]; // id 0: a character unseen in training
  const index = new Map(chars.map((c, i) => [c, i]));
  const encode = (s: string) => Int32Array.from([...s].map((c) => index.get(c) ?? 0));
  const trainIds = encode(trainText);
  const validIds = encode(validText);
  const V = chars.length;

  // Unigram baseline: −mean log p(c) on validation with add-one smoothed training frequencies.
  const counts = new Float64Array(V).fill(1);
  for (const id of trainIds) counts[id] = (counts[id] as number) + 1;
  const totalCount = counts.reduce((a, b) => a + b, 0);
  let unigramLoss = 0;
  for (let i = 1; i < validIds.length; i++) unigramLoss -= Math.log((counts[validIds[i] as number] as number) / totalCount);
  unigramLoss /= validIds.length - 1;

  const model = new CharLSTM(V, o);
  const opt = new optim.AdamW(model.parameters(), { lr: o.lr, weightDecay: 0 });
  const s = streams(trainIds, o.batch);
  let p = 0;
  let state: nn.LSTMState | null = null;
  const recent: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    if (p + o.seqLen + 1 > s.length) {
      p = 0;
      state = null; // back to the start of each stream: a fresh state
    }
    const { x, y } = s.chunk(p, o.seqLen);
    const [logits, next] = model.forward(x, state);
    const loss = losses.crossEntropy(logits.reshape(-1, V), y);
    opt.zeroGrad();
    loss.backward();
    optim.clipGradNorm(model.parameters(), o.clip);
    opt.step();
    state = nn.detachState(next); // truncated BPTT: carry the state, cut the graph
    p += o.seqLen;
    recent.push(loss.item());
    if (recent.length > 20) recent.shift();
    if (o.verbose && (step + 1) % 50 === 0) console.log(`step ${step + 1}/${o.steps}: train loss ${loss.item().toFixed(3)}`);
  }
  model.eval();
  const validationLoss = evaluate(model, validIds, o);
  const text0 = sample(model, chars, index, o, "The ");
  const result = { validationLoss, unigramLoss, trainLoss: recent.reduce((a, b) => a + b, 0) / recent.length, vocabSize: V, sample: text0 };
  if (o.verbose) {
    console.log(`\nvalidation loss ${validationLoss.toFixed(3)} nats/char (unigram baseline ${unigramLoss.toFixed(3)}), vocabulary ${V}`);
    console.log(`sample (temperature ${o.temperature}):\n${text0}`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--steps");
  main(i >= 0 ? { steps: Number(process.argv[i + 1]) } : {});
}
