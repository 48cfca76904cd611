/**
 * T5 throughput: a T5-small-shaped model scaled down to fit a 2-core machine (d_model 256, d_kv 64,
 * 4 heads, d_ff 1024, relu, 4 + 4 layers, tied embeddings, vocabulary 2048, dropout 0):
 *  - training: full steps (forward, backward, AdamW) on random ids, batch 16, encoder 64 + decoder 64
 *    tokens per row; tokens/s counts encoder + decoder tokens (2,048 per step). loom on the native
 *    backend (where built) and WebAssembly, and the same model in PyTorch (scripts/peers/t5_torch.py,
 *    a child /usr/bin/python3 with the same thread count), in this one run;
 *  - generation: greedy decoding of 64 new tokens for a batch of 4 sources of 64 tokens through the one
 *    decoding interface, with the KV cache (one token per step, cross-attention K/V computed once) and
 *    without (the whole prefix rerun each step); tokens/s counts generated tokens (4 · 64).
 * Warm-up steps are excluded; wall figures are medians. The machine may be shared: the process's CPU
 * time (all threads) per timed step or run is printed beside the wall time, for loom and PyTorch (a wall
 * time far above it means the process waited for a core; with T threads, CPU ≈ T × wall when it did not).
 * `LOOM_BACKEND=js|wasm|native` runs that loom backend only.
 */
import { manualSeed, noGrad, randint, setBackend, getBackend, type Backend } from "../src/index.js";
import { defaultThreadCount } from "../src/backend/wasm/index.js";
import { decode } from "../src/generate/index.js";
import { T5ForConditionalGeneration, t5ParameterCount, t5Config, type T5Config } from "../src/models/t5/index.js";
import { AdamW } from "../src/optim/index.js";
import { printTable, timeIt } from "./table.js";
import { benchBackends, runTorchPeer } from "./harness.js";

const MODEL: Partial<T5Config> = {
  vocab_size: 2048, d_model: 256, d_kv: 64, d_ff: 1024, num_layers: 4, num_decoder_layers: 4, num_heads: 4,
  feed_forward_proj: "relu", tie_word_embeddings: true, dropout_rate: 0,
};
const BATCH = 16;
const SRC = 64;
const TGT = 64;
const WARMUP = 2;
const TIMED = 5;
const GEN_BATCH = 4;
const GEN_TOKENS = 64;

type Row = (string | number)[];

function training(label: string): Row {
  manualSeed(0);
  const model = new T5ForConditionalGeneration(MODEL);
  model.train();
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0 });
  const V = MODEL.vocab_size as number;
  const src = randint(2, V, [BATCH, SRC], { dtype: "int32" });
  const labels = randint(2, V, [BATCH, TGT], { dtype: "int32" });
  let calls = 0;
  let cpuMicros = 0;
  const step = () => {
    const timed = calls++ >= WARMUP;
    const cpu0 = process.cpuUsage();
    const { loss } = model.forward(src, { labels });
    loss?.backward();
    optimizer.step();
    optimizer.zeroGrad();
    if (timed) {
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
  };
  const seconds = timeIt(step, TIMED, WARMUP);
  return [`loom ${label}: training step`, (BATCH * (SRC + TGT)) / seconds, seconds * 1000, cpuMicros / 1000 / TIMED, `${WARMUP} + ${TIMED}`];
}

function generation(label: string): Row[] {
  manualSeed(1);
  const model = new T5ForConditionalGeneration(MODEL);
  model.train(false);
  const src = randint(2, MODEL.vocab_size as number, [GEN_BATCH, SRC], { dtype: "int32" });
  const lengths = Array.from({ length: GEN_BATCH }, () => SRC);
  const rows: Row[] = [];
  for (const useCache of [true, false]) {
    const run = () => noGrad(() => decode(model.decoderStep(src, lengths, { useCache }), lengths.map(() => [0]), MODEL.vocab_size as number, {
      maxNewTokens: GEN_TOKENS, stopIds: [], temperature: 0,
    }));
    let calls = 0;
    let cpuMicros = 0;
    const timedRun = () => {
      const timed = calls++ >= 1;
      const cpu0 = process.cpuUsage();
      run();
      if (timed) {
        const cpu = process.cpuUsage(cpu0);
        cpuMicros += cpu.user + cpu.system;
      }
    };
    const seconds = timeIt(timedRun, 3, 1);
    rows.push([`loom ${label}: greedy generation, ${useCache ? "KV cache" : "no cache"}`, (GEN_BATCH * GEN_TOKENS) / seconds, seconds * 1000, cpuMicros / 1000 / 3, "1 + 3"]);
  }
  return rows;
}

/** PyTorch's training row: runs scripts/peers/t5_torch.py, or says why it could not. */
function pytorch(threads: number): Row {
  const r = runTorchPeer<{ torch: string; params: number; tok_s_median: number; step_ms_median: number; cpu_ms_per_step: number; n_steps: number }>(
    "t5_torch.py",
    ["--threads", String(threads), "--steps", String(TIMED), "--warmup", String(WARMUP), "--batch", String(BATCH), "--src-len", String(SRC), "--tgt-len", String(TGT)],
    900_000,
  );
  if ("why" in r) return [`PyTorch: not measured (${r.why})`, "—", "—", "—", "—"];
  const res = r.result;
  const ours = t5ParameterCount(t5Config(MODEL));
  const note = res.params === ours ? "" : ` (${res.params} parameters vs loom's ${ours})`;
  return [`PyTorch ${res.torch}: training step${note}`, res.tok_s_median, res.step_ms_median, res.cpu_ms_per_step, `${WARMUP} + ${res.n_steps}`];
}

export async function run(): Promise<void> {
  const threads = defaultThreadCount();
  console.log(`T5 ${t5ParameterCount(t5Config(MODEL)).toLocaleString("en-US")} parameters; threads: ${threads}; PyTorch runs with the same\n`);
  const previous = getBackend();
  const rows: Row[] = [];
  try {
    for (const [name, make] of benchBackends(threads)) {
      let backend: Backend;
      try {
        backend = make();
      } catch (e) {
        rows.push([`loom ${name}: not measured (${(e as Error).message})`, "—", "—", "—", "—"]);
        continue;
      }
      setBackend(backend);
      rows.push(training(name), ...generation(name));
    }
  } finally {
    setBackend(previous);
  }
  rows.push(pytorch(threads));
  printTable(["T5 (d_model 256, 4+4 layers, B 16, 64/64 tokens)", "tokens/s", "ms/step or ms/run", "CPU ms/step or run", "warm-up + timed"], rows);
  await Promise.resolve();
}
