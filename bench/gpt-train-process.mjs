/**
 * One GPT training run in a process of its own, for bench/gpt.bench.ts: plain node on the built `dist/`
 * code (no TypeScript loader, nothing of the bench loaded; gpt.bench.ts starts it with the node flags
 * of the `loom` binary), training the way `loom train` does — the trainer's garbage hint at each step
 * boundary (`dist/train/gc.js`), and the full garbage collection between steps of
 * `--gc-between-steps` (`dist/cli/step-gc.js`) unless `--no-step-gc` — so that its peak RSS is what
 * a user's training process reaches. Random token ids, dropout 0, AdamW; with `--bf16` the forward runs
 * under `autocast("bfloat16")`, as `loom train --precision bf16` does.
 * Prints per-step lines and, last, one JSON line in the shape of scripts/peers/gpt_torch.py's: median
 * tokens/s, ms/step, CPU ms/step (the whole process's), ru_maxrss in MiB, the number of timed steps.
 *
 * Usage: node bench/gpt-train-process.mjs BACKEND THREADS N_LAYER N_EMBD N_HEAD VOCAB BATCH BLOCK WARMUP TIMED [--no-step-gc] [--bf16]
 */
const [backendName, threads, nLayer, nEmbd, nHead, vocab, batch, block, warmup, timed] = process.argv.slice(2, 12);
const stepGc = !process.argv.includes("--no-step-gc");
const bf16 = process.argv.includes("--bf16");
const dist = new URL("../dist/", import.meta.url);
const loom = await import(new URL("index.js", dist).href);
const backends = await import(new URL("backend/index.js", dist).href);
const { collectBetweenSteps } = await import(new URL("cli/step-gc.js", dist).href);
const { hintStepGarbage } = await import(new URL("train/gc.js", dist).href);

const makers = {
  native: () => backends.createNativeBackend({ threads: Number(threads) }),
  wasm: () => backends.createWasmBackend({ threads: Number(threads) }),
  js: () => backends.referenceBackend,
};
const make = makers[backendName];
if (make === undefined) throw new Error(`gpt-train-process: unknown backend "${backendName}" (native, wasm or js)`);
loom.setBackend(make());

loom.manualSeed(0);
const V = Number(vocab);
const B = Number(batch);
const T = Number(block);
const model = new loom.models.GPT({
  vocab_size: V, n_positions: T, n_embd: Number(nEmbd), n_layer: Number(nLayer), n_head: Number(nHead),
  embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0,
});
model.train();
const optimizer = new loom.optim.AdamW(model.parameters(), { lr: 3e-4 });
const stepMs = [];
const cpuMs = [];
const total = Number(warmup) + Number(timed);
for (let s = 0; s < total; s++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const ids = loom.randint(0, V, [B, T], { dtype: "int32" });
  const targets = loom.randint(0, V, [B, T], { dtype: "int32" });
  const forward = () => model.forward(ids, { targets });
  const { loss } = bf16 ? loom.autocast("bfloat16", forward) : forward();
  const value = loss.item();
  loss.backward();
  optimizer.step();
  optimizer.zeroGrad();
  hintStepGarbage(); // as the trainer does at every step boundary
  if (stepGc) collectBetweenSteps();
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  console.log(`step ${s + 1}: loss ${value.toFixed(4)}, ${ms.toFixed(1)} ms`);
  if (s >= Number(warmup)) {
    stepMs.push(ms);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = median(stepMs);
console.log(JSON.stringify({
  backend: backendName, step_gc: stepGc, bf16, tok_s_median: (B * T * 1000) / ms, step_ms_median: ms, cpu_ms_median: median(cpuMs),
  ru_maxrss_mib: process.resourceUsage().maxRSS / 1024, n_steps: stepMs.length,
}));
