/**
 * The web app's model worker: loom itself, in a Web Worker, on the WebAssembly backend (one thread; its
 * memory is a SharedArrayBuffer, which the browser grants because the server makes the page
 * cross-origin isolated). It loads a run's config, tokenizer and weights over the server's API and
 * answers the page's requests (./protocol.ts): tokenize, generate (streamed, with the top next-token
 * probabilities of each step) and attention (every stack's weights, rollout and per-head statistics).
 */
import { registerFile } from "../shims/node-fs.js";
import { setBackend } from "../../backend/index.js";
import { WasmBackend } from "../../backend/wasm/index.js";
import { type AttentionStack, captureModelAttention } from "../../analysis/capture.js";
import { attentionRollout } from "../../analysis/rollout.js";
import { headStatistics } from "../../analysis/statistics.js";
import { classifyHead } from "../../analysis/classify.js";
import { tokenLabels } from "../../analysis/token-labels.js";
import { CausalLanguageModelStep } from "../../generate/causal-step.js";
import { resolveGenerateOptions } from "../../generate/options.js";
import { FINISHED, sampleSteps } from "../../generate/sampling.js";
import { softmaxRow } from "../../generate/processors.js";
import { END_OF_TEXT } from "../../generate/text.js";
import type { CausalLanguageModel } from "../../generate/language-model.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import { GPT_MODEL_TYPE } from "../../models/gpt/config.js";
import { RNNLM_MODEL_TYPE } from "../../models/rnnlm/config.js";
import type { LoadedModel, SamplingSettings, StackPayload, TokenInfo, WorkerReply, WorkerRequest } from "../protocol.js";
import { loadModelFromBytes, type BrowserModel } from "./load-model.js";

/** Registry model types that are causal language models (what the playground generates with). */
const CAUSAL_MODEL_TYPES = new Set([GPT_MODEL_TYPE, RNNLM_MODEL_TYPE]);

interface WorkerScope {
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;

let backend: WasmBackend | null = null;
let loaded: { run: string; model: BrowserModel; tokenizer: Tokenizer; info: LoadedModel } | null = null;
/** Id of the generation to stop at its next step. */
let stopRequested = -1;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    let message = `${url}: HTTP ${response.status}`;
    try {
      message += `: ${((await response.json()) as { error?: string }).error ?? ""}`;
    } catch {
      // not a JSON error body
    }
    throw new Error(message);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** The wasm backend, once: both kernel builds are fetched so the loader can pick relaxed SIMD or fall back. */
async function ensureBackend(): Promise<WasmBackend> {
  if (backend) return backend;
  for (const name of ["loom-kernels-relaxed.wasm", "loom-kernels-simd.wasm"]) registerFile(name, await fetchBytes(`/wasm/${name}`));
  backend = new WasmBackend({ threads: 1 });
  setBackend(backend);
  return backend;
}

async function load(run: string): Promise<LoadedModel> {
  const start = performance.now();
  const wasm = await ensureBackend();
  const base = `/api/runs/${encodeURIComponent(run)}/files/`;
  const [config, tokenizerText, weights] = await Promise.all([
    fetchBytes(base + "config.json"),
    fetchBytes(base + "tokenizer.json"),
    fetchBytes(base + "model.safetensors"),
  ]);
  const decoder = new TextDecoder();
  const model = loadModelFromBytes(JSON.parse(decoder.decode(config)) as unknown, weights, run);
  const tokenizer = Tokenizer.fromString(decoder.decode(tokenizerText), `${run}/tokenizer.json`);
  const cfg = model.config as { n_positions?: number; max_position_embeddings?: number; vocab_size?: number };
  const info: LoadedModel = {
    run,
    modelType: model.modelType,
    causal: CAUSAL_MODEL_TYPES.has(model.modelType),
    parameters: model.numParameters(),
    vocabSize: cfg.vocab_size ?? tokenizer.getVocabSize(),
    maxPositions: cfg.n_positions ?? cfg.max_position_embeddings ?? Infinity,
    backend: wasm.name,
    variant: wasm.variant,
    sharedMemory: typeof SharedArrayBuffer !== "undefined",
    crossOriginIsolated: scope.crossOriginIsolated === true,
    loadMs: performance.now() - start,
  };
  loaded = { run, model, tokenizer, info };
  return info;
}

function requireModel(): NonNullable<typeof loaded> {
  if (!loaded) throw new Error("no model is loaded; choose a run first");
  return loaded;
}

function tokenInfo(tokenizer: Tokenizer, ids: readonly number[]): TokenInfo[] {
  const labels = tokenLabels(tokenizer, ids);
  return ids.map((id, i) => ({ id, text: labels[i]! }));
}

/**
 * Generates from `promptIds` exactly as the library's `generate` does (the same decoder step, sampling
 * loop and seeded generator), posting each token with the `topN` most likely next tokens of that step.
 */
async function generateFrom(id: number, promptIds: readonly number[], settings: SamplingSettings, topN: number): Promise<void> {
  const { model, tokenizer, info } = requireModel();
  if (!info.causal) throw new Error(`${info.modelType} does not generate text here; the playground runs causal language models`);
  const eot = tokenizer.tokenToId(END_OF_TEXT);
  const stopIds = eot !== undefined && eot < info.vocabSize ? [eot] : [];
  const options = resolveGenerateOptions({ ...settings, stopIds }, info.vocabSize);
  const lm = model as unknown as CausalLanguageModel;
  const start = performance.now();
  const generated: number[] = [];
  model.eval();
  for (const { tokens: [next], logits: [row] } of sampleSteps(new CausalLanguageModelStep(lm, true), [promptIds], options)) {
    if (next === undefined || next === FINISHED || options.stopIds.has(next)) break;
    generated.push(next);
    const probs = softmaxRow(row!);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b).slice(0, topN);
    const top = order.map((t) => ({ ...tokenInfo(tokenizer, [t])[0]!, p: probs[t]! }));
    scope.postMessage({ kind: "step", id, token: tokenInfo(tokenizer, [next])[0]!, top });
    // Let the page's "stop" message in between steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (stopRequested === id) break;
  }
  scope.postMessage({ kind: "done", id, ids: generated, ms: performance.now() - start });
}

function stackPayload(stack: AttentionStack): StackPayload {
  const maps = stack.maps;
  const heads = [];
  for (let l = 0; l < maps.layers; l++) {
    for (let h = 0; h < maps.heads; h++) {
      const s = headStatistics(maps, l, h);
      heads.push({
        layer: l, head: h, class: classifyHead(s), entropy: s.entropy, normalizedEntropy: s.normalizedEntropy, meanDistance: s.meanDistance,
        withinWindow: s.withinWindow, previous: s.previous, next: s.next, self: s.self, first: s.first, special: s.special, punctuation: s.punctuation,
      });
    }
  }
  const rollout = maps.queries === maps.keys ? attentionRollout(maps).map((r) => Float32Array.from(r)) : null;
  return {
    kind: stack.kind, layers: maps.layers, heads: maps.heads, queries: maps.queries, keys: maps.keys, causal: maps.causal,
    queryTokens: maps.queryTokens, keyTokens: maps.keyTokens, weights: maps.weights.map((layer) => [...layer]), rollout, heads_: heads,
  };
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.kind) {
    case "load":
      scope.postMessage({ kind: "loaded", id: request.id, model: await load(request.run) });
      return;
    case "tokenize": {
      const { tokenizer } = requireModel();
      scope.postMessage({ kind: "tokens", id: request.id, tokens: tokenInfo(tokenizer, tokenizer.encodeIds(request.text, { addSpecialTokens: false })) });
      return;
    }
    case "generate": {
      const { tokenizer } = requireModel();
      let ids = tokenizer.encodeIds(request.prompt, { addSpecialTokens: false });
      if (ids.length === 0) {
        const eot = tokenizer.tokenToId(END_OF_TEXT);
        if (eot === undefined) throw new Error(`the prompt is empty and the tokenizer has no ${END_OF_TEXT} to start from`);
        ids = [eot];
      }
      await generateFrom(request.id, ids, request.settings, request.topN);
      return;
    }
    case "generate-ids":
      await generateFrom(request.id, request.ids, request.settings, 0);
      return;
    case "attention": {
      const { model, tokenizer, info } = requireModel();
      const start = performance.now();
      const ids = tokenizer.encodeIds(request.text).slice(0, Number.isFinite(info.maxPositions) ? info.maxPositions : 512);
      if (ids.length === 0) throw new Error("the text encodes to no tokens");
      const targetIds = request.target ? tokenizer.encodeIds(request.target) : undefined;
      const stacks = captureModelAttention(model, {
        ids,
        ...(targetIds && targetIds.length > 0 ? { targetIds } : {}),
        tokens: { source: tokenLabels(tokenizer, ids), ...(targetIds && targetIds.length > 0 ? { target: tokenLabels(tokenizer, targetIds) } : {}) },
      }).map(stackPayload);
      scope.postMessage({ kind: "attention", id: request.id, stacks, ms: performance.now() - start });
      return;
    }
    case "stop":
      stopRequested = request.id;
      return;
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  handle(request).catch((error: unknown) => {
    scope.postMessage({ kind: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
  });
};
