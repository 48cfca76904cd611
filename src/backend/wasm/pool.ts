/**
 * A pool of worker_threads that run kernel calls over the same shared WebAssembly memory as the main
 * thread. The Backend interface is synchronous, so a call publishes its parameters in a shared control
 * block, wakes the workers, does its own share on the main thread and then blocks in `Atomics.wait`
 * until every worker has reported back. Workers are unref'd: an idle pool never keeps the process alive.
 *
 * Control block (Int32Array over a SharedArrayBuffer):
 *   [GEN]  bumped once per job; workers sleep on it
 *   [DONE] workers that finished the current job; the main thread sleeps on it
 *   [READY] workers that have instantiated the module
 *   [FAILED] set when a worker's kernel call threw
 *   [PARAMS ..] the gemmBatched arguments shared by every thread
 *   [RANGES + 2t, RANGES + 2t + 1] flat row range of thread t (thread 0 is the main thread)
 */
import { Worker } from "node:worker_threads";
import { LoomError } from "../../errors.js";
import type { WasmMemory, WasmModule } from "./webassembly.js";

const GEN = 0;
const DONE = 1;
const READY = 2;
const FAILED = 3;
/** Number of gemmBatched arguments before the per-thread row range and scratch pointer. */
export const PARAM_COUNT = 11;
const PARAMS = 8;
const RANGES = PARAMS + PARAM_COUNT + 1;

// The worker runs plain JavaScript (eval), so it needs neither tsx nor a built dist/ to start.
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, index, scratch } = workerData;
const ctrl = new Int32Array(control);
const { gemmBatched } = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.add(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, seen);
  const gen = Atomics.load(ctrl, ${GEN});
  if (gen === seen) continue;
  seen = gen;
  const f0 = ctrl[${RANGES} + 2 * index], f1 = ctrl[${RANGES} + 2 * index + 1];
  if (f1 > f0) {
    try {
      const p = ctrl.subarray(${PARAMS}, ${PARAMS + PARAM_COUNT});
      gemmBatched(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], f0, f1, scratch);
    } catch (e) {
      Atomics.store(ctrl, ${FAILED}, 1);
    }
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** How long the first parallel call waits for workers to start before giving up on them. */
const STARTUP_TIMEOUT_MS = 30_000;

export class WorkerPool {
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private state: "idle" | "running" | "failed" = "idle";
  private startError = "";

  /**
   * @param size total threads including the main thread (so size − 1 workers)
   * @param scratchOf byte offset of thread t's kernel scratch in `memory`
   */
  constructor(
    readonly size: number,
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly scratchOf: (thread: number) => number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * (RANGES + 2 * size)));
  }

  /**
   * Runs `gemmBatched(...params, range[t][0], range[t][1], scratch(t))` on every thread t, thread 0
   * being this one via `runLocal`, and returns when all are done.
   */
  run(params: readonly number[], ranges: readonly (readonly [number, number])[], runLocal: (f0: number, f1: number) => void): void {
    if (!this.start()) throw new LoomError(`wasm backend: worker threads unavailable: ${this.startError}`);
    const c = this.control;
    for (let i = 0; i < PARAM_COUNT; i++) c[PARAMS + i] = params[i] ?? 0;
    for (let t = 0; t < this.size; t++) {
      const r = ranges[t] ?? [0, 0];
      c[RANGES + 2 * t] = r[0];
      c[RANGES + 2 * t + 1] = r[1];
    }
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    const own = ranges[0] ?? [0, 0];
    if (own[1] > own[0]) runLocal(own[0], own[1]);
    const workers = this.size - 1;
    for (let done = Atomics.load(c, DONE); done < workers; done = Atomics.load(c, DONE)) {
      Atomics.wait(c, DONE, done);
    }
    if (Atomics.load(c, FAILED) !== 0) throw new LoomError("wasm backend: a kernel call failed in a worker thread");
  }

  /** Starts the workers on first use and waits until each has instantiated the module; false if they could not. */
  start(): boolean {
    if (this.state !== "idle") return this.state === "running";
    for (let t = 1; t < this.size; t++) {
      const worker = new Worker(workerSource, {
        eval: true,
        execArgv: [],
        workerData: { module: this.module, memory: this.memory, control: this.control.buffer, index: t, scratch: this.scratchOf(t) },
      });
      // A worker that dies reports here (when the event loop next runs); the READY wait below times out.
      worker.on("error", (e: Error) => {
        this.startError = e.message;
      });
      worker.unref();
      this.workers.push(worker);
    }
    const c = this.control;
    const deadline = performance.now() + STARTUP_TIMEOUT_MS;
    for (let ready = Atomics.load(c, READY); ready < this.size - 1; ready = Atomics.load(c, READY)) {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.startError ||= `only ${ready} of ${this.size - 1} started within ${STARTUP_TIMEOUT_MS} ms`;
        for (const w of this.workers) void w.terminate();
        this.state = "failed";
        return false;
      }
      Atomics.wait(c, READY, ready, left);
    }
    this.state = "running";
    return true;
  }
}
