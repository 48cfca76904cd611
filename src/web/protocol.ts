/**
 * Messages between the web app's page and its model worker (the worker runs loom itself: the model,
 * tokenizer and attention analysis, on the WebAssembly backend). Plain data only, so they survive
 * postMessage's structured clone; typed arrays are transferred.
 */

/** Sampling settings of the playground (the library's GenerateOptions subset it exposes). */
export interface SamplingSettings {
  /** Tokens to generate at most. */
  readonly maxNewTokens: number;
  /** 0 = greedy. */
  readonly temperature: number;
  /** 0 = off. */
  readonly topK: number;
  /** 1 = off. */
  readonly topP: number;
  /** 1 = off. */
  readonly repetitionPenalty: number;
  /** Seed of the sampling generator. */
  readonly seed: number;
}

/** A request from the page. Each carries an id its reply repeats. */
export type WorkerRequest =
  | { readonly kind: "load"; readonly id: number; readonly run: string }
  | { readonly kind: "tokenize"; readonly id: number; readonly text: string }
  | { readonly kind: "generate"; readonly id: number; readonly prompt: string; readonly settings: SamplingSettings; readonly topN: number }
  | { readonly kind: "generate-ids"; readonly id: number; readonly ids: readonly number[]; readonly settings: SamplingSettings }
  | { readonly kind: "attention"; readonly id: number; readonly text: string; readonly target?: string }
  | { readonly kind: "stop"; readonly id: number };

/** What the worker found when it loaded a run. */
export interface LoadedModel {
  readonly run: string;
  readonly modelType: string;
  /** Whether the model generates text (a causal LM). */
  readonly causal: boolean;
  readonly parameters: number;
  readonly vocabSize: number;
  /** Most positions the model takes (Infinity for relative positions). */
  readonly maxPositions: number;
  /** The backend the worker computes with ("wasm") and its kernel build. */
  readonly backend: string;
  readonly variant: string;
  /** Whether the worker's wasm memory is a SharedArrayBuffer (the page is cross-origin isolated). */
  readonly sharedMemory: boolean;
  readonly crossOriginIsolated: boolean;
  /** Milliseconds the load took. */
  readonly loadMs: number;
}

/** A token with its id and readable text. */
export interface TokenInfo {
  readonly id: number;
  readonly text: string;
}

/** One head's statistics and class, as the explorer lists them. */
export interface HeadSummary {
  readonly layer: number;
  readonly head: number;
  readonly class: string;
  readonly entropy: number;
  readonly normalizedEntropy: number;
  readonly meanDistance: number;
  /** Share within ±2 positions. */
  readonly withinWindow: number;
  readonly previous: number;
  /** NaN under a causal mask. */
  readonly next: number;
  readonly self: number;
  readonly first: number;
  readonly special: number;
  readonly punctuation: number;
}

/** One attention stack for the explorer: weights[l][h] is a Q × K row-major matrix. */
export interface StackPayload {
  readonly kind: "encoder" | "decoder" | "cross";
  readonly layers: number;
  readonly heads: number;
  readonly queries: number;
  readonly keys: number;
  readonly causal: boolean;
  readonly queryTokens: readonly string[];
  readonly keyTokens: readonly string[];
  readonly weights: Float32Array[][];
  /** Attention rollout (Abnar & Zuidema 2020) after each layer, Q × K; null for cross-attention. */
  readonly rollout: Float32Array[] | null;
  readonly heads_: readonly HeadSummary[];
}

/** A reply from the worker. */
export type WorkerReply =
  | { readonly kind: "loaded"; readonly id: number; readonly model: LoadedModel }
  | { readonly kind: "tokens"; readonly id: number; readonly tokens: readonly TokenInfo[] }
  | { readonly kind: "step"; readonly id: number; readonly token: TokenInfo; readonly top: readonly (TokenInfo & { readonly p: number })[] }
  | { readonly kind: "done"; readonly id: number; readonly ids: readonly number[]; readonly ms: number }
  | { readonly kind: "attention"; readonly id: number; readonly stacks: readonly StackPayload[]; readonly ms: number }
  | { readonly kind: "error"; readonly id: number; readonly message: string };
