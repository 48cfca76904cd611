/**
 * A pool of worker_threads that join kernel jobs over the same shared WebAssembly memory as the main
 * thread. The Backend interface is synchronous, so a call writes its job into kernel memory, wakes the
 * workers, works on the job itself and then blocks in `Atomics.wait` until every worker that joined
 * has left. Work is claimed unit by unit inside the kernels (see assembly/gemm.ts), so a worker whose
 * core is busy elsewhere and wakes late just finds nothing left: the main thread never waits for it.
 * Workers are unref'd, so an idle pool never keeps the process alive.
 *
 * Control block (Int32Array over its own SharedArrayBuffer):
 *   [GEN]   bumped once per job; idle workers sleep on it
 *   [STATE] (generation & 0x7fffff) << 8 | CLOSED (0x80) | number of workers inside the job
 *           A worker joins with a compare-exchange that fails once the job is closed or replaced.
 *   [READY] workers that have instantiated the module
 *   [FAILED] set when a worker's kernel call threw
 *   [JOB]   byte offset of the job descriptor in kernel memory
 */
import { Worker } from "node:worker_threads";
import { LoomError } from "../../errors.js";
import type { WasmMemory, WasmModule } from "./webassembly.js";

const GEN = 0;
const STATE = 1;
const READY = 2;
const FAILED = 3;
const JOB = 4;
const CONTROL_INTS = 5;
const CLOSED = 0x80;
const ACTIVE = 0x7f;
/** Pools are limited to what the STATE word's active count can hold. */
export const MAX_THREADS = ACTIVE + 1;

// The worker runs plain JavaScript (eval), so it needs neither tsx nor a built dist/ to start.
const workerSource = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, scratch } = workerData;
const ctrl = new Int32Array(control);
const { runJob } = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.add(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let seen = Atomics.load(ctrl, ${GEN});
for (;;) {
  Atomics.wait(ctrl, ${GEN}, seen);
  const gen = Atomics.load(ctrl, ${GEN});
  if (gen === seen) continue;
  seen = gen;
  let joined = false;
  for (;;) {
    const s = Atomics.load(ctrl, ${STATE});
    if (s >>> 8 !== (gen & 0x7fffff) || (s & ${CLOSED}) !== 0) break;
    if (Atomics.compareExchange(ctrl, ${STATE}, s, s + 1) === s) { joined = true; break; }
  }
  if (!joined) continue;
  try {
    runJob(Atomics.load(ctrl, ${JOB}), scratch);
  } catch (e) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.sub(ctrl, ${STATE}, 1);
  Atomics.notify(ctrl, ${STATE});
}
`;

/** How long the first parallel call waits for workers to start before giving up on them. */
const STARTUP_TIMEOUT_MS = 30_000;

export class WorkerPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_INTS));
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
    if (size > MAX_THREADS) throw new LoomError(`wasm backend: at most ${MAX_THREADS} threads, asked for ${size}`);
  }

  /**
   * Offers the job at byte offset `job` to the workers, runs `runLocal` (the main thread's part of
   * the same job) and returns once no worker is still inside the job.
   */
  run(job: number, runLocal: () => void): void {
    if (!this.start()) throw new LoomError(`wasm backend: worker threads unavailable: ${this.startError}`);
    const c = this.control;
    const gen = (Atomics.load(c, GEN) + 1) | 0;
    Atomics.store(c, JOB, job);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, STATE, (gen & 0x7fffff) << 8);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    try {
      runLocal();
    } finally {
      // Close the job to latecomers, then wait for the workers inside it to leave.
      let s = Atomics.load(c, STATE);
      for (let seen = Atomics.compareExchange(c, STATE, s, s | CLOSED); seen !== s; seen = Atomics.compareExchange(c, STATE, s, s | CLOSED)) {
        s = seen;
      }
      for (s = Atomics.load(c, STATE); (s & ACTIVE) !== 0; s = Atomics.load(c, STATE)) Atomics.wait(c, STATE, s);
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
        workerData: { module: this.module, memory: this.memory, control: this.control.buffer, scratch: this.scratchOf(t) },
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
