/**
 * LSTM training throughput: tokens (time steps × batch) per second of one training step — forward,
 * backward and an AdamW update — for a 2-layer LSTM, hidden 256, batch 32, sequence 128, input 256,
 * loss MSE against a fixed random target. Reference TypeScript backend, then the WebAssembly backend
 * when it loads. PyTorch's figure for the same configuration comes from scripts/peers/lstm_torch.py
 * (run separately: torch is Python).
 *
 * Env: LSTM_BENCH_REPEATS (timed steps, default 3), LSTM_BENCH_SEQ (default 128) to shorten a run.
 */
import { getBackend, referenceBackend, setBackend, useFastBackend } from "../src/backend/index.js";
import { losses, manualSeed, nn, optim, randn } from "../src/index.js";
import { printTable, timeIt } from "./table.js";

const LAYERS = 2;
const HIDDEN = 256;
const BATCH = 32;
const INPUT = 256;

function measure(seq: number, repeats: number): number {
  manualSeed(0);
  const lstm = new nn.LSTM(INPUT, HIDDEN, { numLayers: LAYERS });
  const opt = new optim.AdamW(lstm.parameters(), { lr: 1e-3 });
  const x = randn([seq, BATCH, INPUT]);
  const target = randn([seq, BATCH, HIDDEN]);
  const seconds = timeIt(() => {
    const [out] = lstm.forward(x);
    const loss = losses.mseLoss(out, target);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }, repeats, 1);
  return (seq * BATCH) / seconds;
}

export async function run(): Promise<void> {
  const seq = Number(process.env.LSTM_BENCH_SEQ ?? 128);
  const repeats = Number(process.env.LSTM_BENCH_REPEATS ?? 3);
  const rows: (string | number)[][] = [];
  const previous = setBackend(referenceBackend);
  try {
    rows.push(["reference (js)", measure(seq, repeats)]);
    let wasmLoaded = true;
    try {
      useFastBackend();
    } catch (e) {
      wasmLoaded = false;
      rows.push(["wasm", `unavailable: ${(e as Error).message}`]);
    }
    if (wasmLoaded) {
      const threads = (getBackend() as { threads?: number }).threads ?? 1;
      rows.push([`wasm (${threads} thread${threads === 1 ? "" : "s"}, LOOM_THREADS)`, measure(seq, repeats)]);
    }
  } finally {
    setBackend(previous);
  }
  console.log(`LSTM ${LAYERS}×${HIDDEN}, batch ${BATCH}, sequence ${seq}, input ${INPUT}: forward + backward + AdamW`);
  printTable(["backend", "tokens/s"], rows);
}
