/**
 * BERT-shaped encoder training throughput: a BertForMaskedLM training step (forward, backward, AdamW
 * update; dropout 0) on a padded batch, on the native backend (where built) and the WebAssembly
 * backend, and the same model in PyTorch (scripts/peers/bert_torch.py, HF's layout written plainly) run
 * as a child process in this same run, with the same thread count (`LOOM_THREADS`, default: the cores).
 * `LOOM_BACKEND=js|wasm|native` runs that loom backend only.
 *
 *   4 layers, hidden 256, 4 heads, intermediate 1024, vocabulary 4096, sequence 128, batch 16;
 *   row i has 64 + (37·i mod 65) real tokens (1,564 of 2,048: 24% padding), masked-LM labels on 15%
 *   of the real tokens.
 *
 * tokens/s counts real (non-padding) tokens; the padded figure beside it counts every position. The
 * figure is the median wall-clock step of the timed steps after warm-up. The machine may be shared, so
 * the process's CPU time per timed step is printed beside loom's rows: a wall time far above it means
 * the step waited for a core.
 */
import { getBackend, manualSeed, rand, randint, setBackend, tensor, type Backend, type Tensor } from "../src/index.js";
import { defaultThreadCount } from "../src/backend/wasm/index.js";
import { BertForMaskedLM } from "../src/models/bert/index.js";
import { AdamW } from "../src/optim/index.js";
import { printTable, timeIt } from "./table.js";
import { benchBackends, runTorchPeer } from "./harness.js";

const SHAPE = { layers: 4, hidden: 256, heads: 4, vocab: 4096, seq: 128, batch: 16 };
const WARMUP = 1;
const TIMED = 3;

type Row = (string | number)[];

/** Row i is real for its first 64 + (37·i mod 65) tokens: the same lengths as the PyTorch peer's. */
const lengths = Array.from({ length: SHAPE.batch }, (_, i) => 64 + ((37 * i) % 65));
const realTokens = lengths.reduce((a, b) => a + b, 0);

/** The padded batch: ids (0 = padding), attention mask, MLM labels on 15% of the real tokens (−100 elsewhere). */
function batch(): { ids: Tensor; attentionMask: Tensor; labels: Tensor } {
  const { batch: B, seq: T, vocab: V } = SHAPE;
  const mask = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < (lengths[b] as number); t++) mask[b * T + t] = 1;
  const random = randint(1, V, [B, T], { dtype: "int32" }).toTypedArray();
  const pick = rand([B, T]).toTypedArray();
  const ids = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-100);
  for (let i = 0; i < B * T; i++) {
    ids[i] = mask[i] === 1 ? (random[i] as number) : 0;
    if (mask[i] === 1 && (pick[i] as number) < 0.15) labels[i] = ids[i] as number;
  }
  const shaped = (a: Int32Array): Tensor => tensor(a, { dtype: "int32" }).reshape([B, T]);
  return { ids: shaped(ids), attentionMask: shaped(mask), labels: shaped(labels) };
}

function measure(label: string): Row {
  manualSeed(0);
  const model = new BertForMaskedLM({
    vocab_size: SHAPE.vocab, hidden_size: SHAPE.hidden, num_hidden_layers: SHAPE.layers, num_attention_heads: SHAPE.heads,
    intermediate_size: 4 * SHAPE.hidden, max_position_embeddings: SHAPE.seq, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
  });
  model.train();
  const optimizer = new AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.01 });
  const data = batch();
  let calls = 0;
  let cpuMicros = 0;
  const step = (): void => {
    const timedCall = calls++ >= WARMUP;
    const cpu0 = process.cpuUsage();
    const { loss } = model.forward(data.ids, { attentionMask: data.attentionMask, labels: data.labels });
    loss?.backward();
    optimizer.step();
    optimizer.zeroGrad();
    if (timedCall) {
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
  };
  const seconds = timeIt(step, TIMED, WARMUP);
  return [`loom ${label}`, realTokens / seconds, (SHAPE.batch * SHAPE.seq) / seconds, seconds * 1000, cpuMicros / 1000 / TIMED, `${WARMUP} + ${TIMED}`];
}

/** PyTorch's row: runs scripts/peers/bert_torch.py, or says why it could not. */
function pytorch(threads: number): Row {
  const r = runTorchPeer<{ torch: string; real_tokens: number; tok_s_median: number; padded_tok_s_median: number; step_ms_median: number; n_steps: number }>(
    "bert_torch.py", ["--threads", String(threads), "--steps", "5", "--warmup", "1"],
  );
  if ("why" in r) return [`PyTorch: not measured (${r.why})`, "—", "—", "—", "—", "—"];
  const res = r.result;
  if (res.real_tokens !== realTokens) return [`PyTorch: not comparable (its batch has ${res.real_tokens} real tokens, loom's ${realTokens})`, "—", "—", "—", "—", "—"];
  return [`PyTorch (torch ${res.torch})`, res.tok_s_median, res.padded_tok_s_median, res.step_ms_median, "—", `1 + ${res.n_steps}`];
}

export async function run(): Promise<void> {
  const threads = defaultThreadCount();
  console.log(`threads: ${threads} (LOOM_THREADS${process.env.LOOM_THREADS ? `=${process.env.LOOM_THREADS}` : " unset: all cores"}); PyTorch runs with the same`);
  console.log(`BertForMaskedLM ${SHAPE.layers} layers × ${SHAPE.hidden}, ${SHAPE.heads} heads, vocab ${SHAPE.vocab}, batch ${SHAPE.batch} × ${SHAPE.seq}: ${realTokens} real tokens of ${SHAPE.batch * SHAPE.seq}\n`);
  const previous = getBackend();
  const rows: Row[] = [];
  try {
    for (const [name, make] of benchBackends(threads)) {
      let backend: Backend;
      try {
        backend = make();
      } catch (e) {
        rows.push([`loom ${name}: not measured (${(e as Error).message})`, "—", "—", "—", "—", "—"]);
        continue;
      }
      setBackend(backend);
      rows.push(measure(name));
    }
  } finally {
    setBackend(previous);
  }
  rows.push(pytorch(threads));
  printTable(["BERT MLM training step (fwd + bwd + AdamW), padded batch", "real tokens/s", "padded tokens/s", "ms/step", "CPU ms/step", "warm-up + timed"], rows);
  await Promise.resolve();
}
