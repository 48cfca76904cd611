/** The page's side of the model worker: requests with ids, replies as promises, steps as callbacks. */
import type { LoadedModel, StackPayload, TokenInfo, WorkerReply, WorkerRequest } from "../protocol.js";

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void; onStep?: (reply: Extract<WorkerReply, { kind: "step" }>) => void };

/** Distributes a request without its id. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** A model worker: loom on the wasm backend in a Web Worker (worker.js). */
export class ModelWorker {
  private readonly worker = new Worker("./worker.js", { type: "module" });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The run the worker holds, once loaded. */
  model: LoadedModel | null = null;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      if (reply.kind === "step") {
        pending.onStep?.(reply);
        return;
      }
      this.pending.delete(reply.id);
      if (reply.kind === "error") pending.reject(new Error(reply.message));
      else pending.resolve(reply);
    };
    this.worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new Error(`model worker failed: ${event.message}`));
      this.pending.clear();
    };
  }

  private send(request: WithoutId<WorkerRequest>, onStep?: Pending["onStep"]): { id: number; reply: Promise<WorkerReply> } {
    const id = this.nextId++;
    const reply = new Promise<WorkerReply>((resolve, reject) => this.pending.set(id, { resolve, reject, ...(onStep ? { onStep } : {}) }));
    this.worker.postMessage({ ...request, id } as WorkerRequest);
    return { id, reply };
  }

  /** Loads a run's model and tokenizer into the worker. */
  async load(run: string): Promise<LoadedModel> {
    this.model = null;
    const reply = await this.send({ kind: "load", run }).reply;
    if (reply.kind !== "loaded") throw new Error(`unexpected reply ${reply.kind}`);
    this.model = reply.model;
    return reply.model;
  }

  /** The loaded tokenizer's tokens of `text` (no special tokens added). */
  async tokenize(text: string): Promise<readonly TokenInfo[]> {
    const reply = await this.send({ kind: "tokenize", text }).reply;
    if (reply.kind !== "tokens") throw new Error(`unexpected reply ${reply.kind}`);
    return reply.tokens;
  }

  /** Starts a generation; `onStep` sees each token as it comes. Returns its id (for stop) and the final ids. */
  generate(request: WithoutId<Extract<WorkerRequest, { kind: "generate" }>>, onStep: NonNullable<Pending["onStep"]>): { id: number; done: Promise<{ ids: readonly number[]; ms: number }> } {
    const { id, reply } = this.send(request, onStep);
    return {
      id,
      done: reply.then((r) => {
        if (r.kind !== "done") throw new Error(`unexpected reply ${r.kind}`);
        return { ids: r.ids, ms: r.ms };
      }),
    };
  }

  /** Asks generation `id` to stop after its current step. */
  stop(id: number): void {
    this.worker.postMessage({ kind: "stop", id } satisfies WorkerRequest);
  }

  /** Every attention stack of the model on `text` (T5: `target` is the decoder's input). */
  async attention(text: string, target?: string): Promise<{ stacks: readonly StackPayload[]; ms: number }> {
    const reply = await this.send({ kind: "attention", text, ...(target ? { target } : {}) }).reply;
    if (reply.kind !== "attention") throw new Error(`unexpected reply ${reply.kind}`);
    return { stacks: reply.stacks, ms: reply.ms };
  }
}
