/**
 * GPT training throughput: tokens/s of full training steps (forward, backward, AdamW update; dropout 0;
 * random token ids) for two fixed configs, on the native backend (where built), the WebAssembly
 * backend and PyTorch, in this one run, all with the same thread count (`LOOM_THREADS`, default: the
 * cores; PyTorch gets `--threads` the same). `LOOM_BACKEND=js|wasm|native` runs that loom backend only;
 * `GPT_BENCH_CONFIGS="TINY bf16,SMALL bf16"` (names as below, comma-separated) runs those configs only.
 * `GPT_BENCH_ROUNDS=N` (N > 1) adds N more rounds per config of the first loom backend and PyTorch
 * back to back, and prints each round's ratio and their median: on a machine whose speed drifts by
 * tens of percent within minutes, one loom row and one PyTorch row minutes apart do not compare. In
 * those rounds loom trains in a process of its own on `dist/` (bench/gpt-train-process.mjs, the
 * `loom` binary's node flags, no GC between steps, PyTorch's warm-up and timed steps), as `loom train`
 * runs and as PyTorch runs in its own: this bench process carries the TypeScript loader, all of `src/` and every earlier row, which
 * make each of V8's full collections slower (mark-compact pauses of 12-17 ms here against 6-8 ms).
 *
 *   TINY : 4 layers, 4 heads, n_embd 128, block 128, batch 16, vocab 96  (2,048 tokens/step)
 *   SMALL: 6 layers, 6 heads, n_embd 384, block 256, batch 8,  vocab 96  (2,048 tokens/step)
 * and TINY again with dropout 0.1 (loom only: the issue's "within 10% of dropout 0"), and TINY and SMALL
 * with bf16 mixed precision: loom's forward inside `autocast("bfloat16", …)` (native backend only: its
 * bf16 GEMM) against `gpt_torch.py --bf16` (torch.autocast on the CPU around the forward).
 *
 * `npm run bench` runs under the `loom` binary's V8 flags (src/cli/main.ts: a 2 MiB young generation,
 * marking in one pause), so the loom rows are what `loom train` gets.
 *
 * Warm-up steps are excluded; the loom figure is the median wall-clock step time of the timed steps,
 * and PyTorch's is the median of scripts/peers/gpt_torch.py (nanoGPT-style, same configs, AdamW),
 * run as a child process with Debian's python3 (a row says why where it cannot run). The machine may be
 * shared, so the CPU time of the whole process per timed step (main thread and kernel threads; PyTorch's
 * by time.process_time, its median) is printed beside it: a wall time far above it means the step
 * waited for a core, and on one thread the CPU times compare the two even on a loaded machine. Peak RSS is the
 * process's maximum so far, so only the first loom backend's figure is its own — and it includes the tsx
 * loader and all of `src/`, which a user's training process does not load. TINY is therefore also
 * trained in a process of its own (bench/gpt-train-process.mjs: plain node on the built `dist/`, with
 * and without the full GC between steps of `loom train --gc-between-steps`); those rows' peak RSS is the figure to
 * quote for the issue's "peak RSS of TINY training".
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { autocast, manualSeed, randint, setBackend, getBackend, type Backend } from "../src/index.js";
import { defaultThreadCount } from "../src/backend/wasm/index.js";
import { GPT, type GPTConfig } from "../src/models/gpt/index.js";
import { AdamW } from "../src/optim/index.js";
import { printTable, timeIt } from "./table.js";
import { benchBackends, childJson, runTorchPeer } from "./harness.js";

interface BenchConfig {
  name: string;
  model: Partial<GPTConfig>;
  batch: number;
  block: number;
  warmup: number;
  timed: number;
  /** Forward under autocast("bfloat16") (PyTorch: --bf16). */
  bf16?: boolean;
}

const NO_DROPOUT = { embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 };

const CONFIGS: BenchConfig[] = [
  {
    name: "TINY",
    model: { vocab_size: 96, n_positions: 128, n_embd: 128, n_layer: 4, n_head: 4, ...NO_DROPOUT },
    batch: 16, block: 128, warmup: 2, timed: 7,
  },
  {
    // Dropout 0.1 everywhere (embeddings, attention weights, residuals): attention dropout is regenerated
    // from its seed in the backward, so this should cost little more than TINY.
    name: "TINY dropout 0.1",
    model: { vocab_size: 96, n_positions: 128, n_embd: 128, n_layer: 4, n_head: 4, embd_pdrop: 0.1, attn_pdrop: 0.1, resid_pdrop: 0.1 },
    batch: 16, block: 128, warmup: 2, timed: 7,
  },
  {
    // Slow on the reference backend, hence only 2 timed steps.
    name: "SMALL",
    model: { vocab_size: 96, n_positions: 256, n_embd: 384, n_layer: 6, n_head: 6, ...NO_DROPOUT },
    batch: 8, block: 256, warmup: 1, timed: 3,
  },
  {
    name: "TINY bf16",
    model: { vocab_size: 96, n_positions: 128, n_embd: 128, n_layer: 4, n_head: 4, ...NO_DROPOUT },
    batch: 16, block: 128, warmup: 2, timed: 7, bf16: true,
  },
  {
    name: "SMALL bf16",
    model: { vocab_size: 96, n_positions: 256, n_embd: 384, n_layer: 6, n_head: 6, ...NO_DROPOUT },
    batch: 8, block: 256, warmup: 1, timed: 3, bf16: true,
  },
];

type Row = (string | number)[];

/** The configs GPT_BENCH_CONFIGS names (all when unset); an unknown name is an error, not an empty table. */
function selectedConfigs(): BenchConfig[] {
  const names = process.env.GPT_BENCH_CONFIGS?.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (!names || names.length === 0) return CONFIGS;
  for (const n of names) {
    if (!CONFIGS.some((c) => c.name === n)) throw new Error(`GPT_BENCH_CONFIGS: no config "${n}" (${CONFIGS.map((c) => c.name).join(", ")})`);
  }
  return CONFIGS.filter((c) => names.includes(c.name));
}

function measure(c: BenchConfig, label: string): Row {
  manualSeed(0);
  const model = new GPT({ ...c.model });
  model.train();
  const optimizer = new AdamW(model.parameters(), { lr: 3e-4 });
  const V = c.model.vocab_size as number;
  let calls = 0;
  let cpuMicros = 0;
  const step = () => {
    const timedCall = calls++ >= c.warmup; // timeIt runs the warm-up calls first
    const cpu0 = process.cpuUsage();
    const ids = randint(0, V, [c.batch, c.block], { dtype: "int32" });
    const targets = randint(0, V, [c.batch, c.block], { dtype: "int32" });
    const forward = () => model.forward(ids, { targets });
    const { loss } = c.bf16 ? autocast("bfloat16", forward) : forward();
    loss?.backward();
    optimizer.step();
    optimizer.zeroGrad();
    if (timedCall) {
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
  };
  const seconds = timeIt(step, c.timed, c.warmup);
  const tokens = c.batch * c.block;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  return [`loom ${label} ${c.name}`, tokens / seconds, seconds * 1000, cpuMicros / 1000 / c.timed, `${c.warmup} + ${c.timed}`, maxRssMiB];
}

/** GPT_BENCH_ROUNDS: how many extra paired rounds to run (0 where unset or 1); anything but a whole number ≥ 1 is an error. */
function pairedRounds(): number {
  const raw = process.env.GPT_BENCH_ROUNDS;
  if (raw === undefined || raw.trim() === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`GPT_BENCH_ROUNDS: expected a whole number of rounds ≥ 1, got "${raw}"`);
  return n === 1 ? 0 : n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * `rounds` rounds of loom (in a process of its own on dist/, as `ownProcess`; in this process, as
 * `measure`, where dist/ is not built) then PyTorch, back to back, per config PyTorch runs (not the
 * dropout one): each round's tokens/s and ratio, and the median ratio.
 */
function pairedRows(configs: BenchConfig[], name: string, backend: Backend, threads: number, rounds: number): Row[] {
  const rows: Row[] = [];
  for (const c of configs) {
    if (c.name.includes("dropout") || (c.bf16 && name !== "native")) continue;
    const loom: number[] = [], torch: number[] = [];
    for (let r = 0; r < rounds; r++) {
      setBackend(backend);
      // In its own process loom takes PyTorch's warm-up and timed steps (the table's rows keep the
      // config's, sized for the slower backends).
      const l = (distBuilt() ? ownProcess({ ...c, warmup: PEER_WARMUP, timed: peerSteps(c) }, name, threads, false) : measure(c, name))[1];
      const t = pytorch(c, threads)[1];
      if (typeof l !== "number" || typeof t !== "number") break;
      loom.push(l);
      torch.push(t);
    }
    if (loom.length === 0) continue;
    const ratios = loom.map((l, i) => l / torch[i]!);
    const fmt = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(" · ");
    rows.push([`${name} ${c.name}`, fmt(loom, 0), fmt(torch, 0), fmt(ratios, 2), median(ratios).toFixed(2)]);
  }
  return rows;
}

/** What scripts/peers/gpt_torch.py and bench/gpt-train-process.mjs print last. */
interface ChildRun {
  tok_s_median: number; step_ms_median: number; cpu_ms_median?: number; ru_maxrss_mib: number; n_steps: number;
}

/** PyTorch's warm-up steps. */
const PEER_WARMUP = 2;

/** PyTorch's timed steps for a config. */
function peerSteps(c: BenchConfig): number {
  return c.name.startsWith("SMALL") ? 4 : 15;
}

/** PyTorch's row for one config: runs scripts/peers/gpt_torch.py, or says why it could not. */
function pytorch(c: BenchConfig, threads: number): Row {
  const label = `PyTorch ${c.name}`;
  const small = c.name.startsWith("SMALL");
  const r = runTorchPeer<ChildRun & { torch: string }>("gpt_torch.py", [
    "--config", small ? "small" : "tiny", "--threads", String(threads), "--steps", String(peerSteps(c)), "--warmup", String(PEER_WARMUP), ...(c.bf16 ? ["--bf16"] : []),
  ]);
  if ("why" in r) return [`${label}: not measured (${r.why})`, "—", "—", "—", "—", "—"];
  const res = r.result;
  return [`${label} (torch ${res.torch})`, res.tok_s_median, res.step_ms_median, res.cpu_ms_median ?? "—", `${PEER_WARMUP} + ${res.n_steps}`, res.ru_maxrss_mib];
}

/**
 * Loom's row for a config trained in a process of its own (bench/gpt-train-process.mjs: plain node on
 * `dist/`, as `loom train` runs, with or without `--gc-between-steps`), so its peak RSS is that of
 * a user's training process rather than of this bench (which has the TypeScript loader, all of `src/`
 * and the other configs' memory in it).
 */
/** The node flags of the `loom` binary: its shebang's (src/cli/main.ts), read from there so the two cannot drift. */
const LOOM_BINARY_NODE_FLAGS = readFileSync(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)), "utf8")
  .split("\n")[0]!.replace(/^#!\/usr\/bin\/env -S node\s*/, "").split(/\s+/).filter((f) => f.startsWith("--"));

/** Whether dist/ is built (the own-process rows need it). */
function distBuilt(): boolean {
  return existsSync(fileURLToPath(new URL("../dist/cli/step-gc.js", import.meta.url)));
}

function ownProcess(c: BenchConfig, backend: string, threads: number, stepGc: boolean): Row {
  const label = `loom ${backend} ${c.name}, own process on dist/${stepGc ? " (loom train --gc-between-steps: full GC between steps)" : ", no GC between steps"}`;
  if (!distBuilt()) {
    return [`${label}: not measured (no dist/: run npm run build)`, "—", "—", "—", "—", "—"];
  }
  const script = fileURLToPath(new URL("./gpt-train-process.mjs", import.meta.url));
  const m = c.model;
  // The node flags of the `loom` binary's shebang (src/cli/main.ts), so the process is sized as loom train's.
  const args = [...LOOM_BINARY_NODE_FLAGS, script, backend, String(threads), String(m.n_layer), String(m.n_embd), String(m.n_head), String(m.vocab_size),
    String(c.batch), String(c.block), String(c.warmup), String(c.timed), ...(stepGc ? [] : ["--no-step-gc"]), ...(c.bf16 ? ["--bf16"] : [])];
  const r = childJson<ChildRun>(process.execPath, args, process.env);
  if ("why" in r) return [`${label}: not measured (${r.why})`, "—", "—", "—", "—", "—"];
  const res = r.result;
  return [label, res.tok_s_median, res.step_ms_median, res.cpu_ms_median ?? "—", `${c.warmup} + ${res.n_steps}`, res.ru_maxrss_mib];
}

export async function run(): Promise<void> {
  const threads = defaultThreadCount();
  const rounds = pairedRounds();
  console.log(`threads: ${threads} (LOOM_THREADS${process.env.LOOM_THREADS ? `=${process.env.LOOM_THREADS}` : " unset: all cores"}); PyTorch runs with the same\n`);
  const previous = getBackend();
  const rows: Row[] = [];
  const made: [string, Backend][] = [];
  for (const [name, make] of benchBackends(threads)) {
    try {
      made.push([name, make()]);
    } catch (e) {
      rows.push([`loom ${name}: not measured (${(e as Error).message})`, "—", "—", "—", "—", "—"]);
    }
  }
  try {
    for (const c of selectedConfigs()) {
      for (const [name, backend] of made) {
        if (c.bf16 && name !== "native") continue; // only the native backend has a bf16 GEMM
        setBackend(backend);
        rows.push(measure(c, name));
        // The issue's peak-RSS figure is TINY's: measured where a user's training runs.
        if (c.name === "TINY") for (const stepGc of [true, false]) rows.push(ownProcess(c, name, threads, stepGc));
      }
      if (!c.name.includes("dropout")) rows.push(pytorch(c, threads));
    }
  } finally {
    setBackend(previous);
  }
  printTable(["GPT training step (fwd + bwd + AdamW)", "tokens/s", "ms/step", "CPU ms/step", "warm-up + timed steps", "peak RSS so far (MiB)"], rows);
  const first = made[0];
  if (rounds > 0 && first !== undefined) {
    let paired: Row[];
    try {
      paired = pairedRows(selectedConfigs(), first[0], first[1], threads, rounds);
    } finally {
      setBackend(previous);
    }
    console.log(`\n${rounds} paired rounds (loom ${distBuilt() ? "in a process of its own on dist/" : "in this process"}, then PyTorch, back to back), tokens/s per round:\n`);
    printTable(["config", "loom", "PyTorch", "loom / PyTorch", "median ratio"], paired);
  }
  console.log(
    "\npeak RSS: rows without \"own process\" are this bench process's maximum so far (tsx loader, all of src/, earlier rows);\n" +
      "\"own process on dist/\" rows are a fresh plain-node process training TINY from the built dist/ as loom train does (PyTorch's rows: its own process too).",
  );
  await Promise.resolve();
}
