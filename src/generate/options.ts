/**
 * Generation options (Hugging Face `generate` names in camelCase) with documented defaults, and their
 * validation.
 */
import { ValueError } from "../errors.js";
import { Generator, defaultGenerator } from "../tensor/rng.js";
import type { LengthPenaltyKind } from "./length-penalty.js";

/**
 * Most beams beam search runs: every beam is a row of the batch, with its own KV cache, so a huge
 * count exhausts memory instead of finding better text (HF's models use 1–10).
 */
export const MAX_BEAMS = 256;

/** Options of text generation: length, sampling (temperature, top-k, top-p), repetition penalty, beams, stop tokens, seed. */
export interface GenerateOptions {
  /** Tokens to generate at most (stop ids end earlier). Default 100. */
  maxNewTokens?: number;
  /** Softmax temperature; 0 → greedy decoding (argmax). Default 1. Not used by beam search. */
  temperature?: number;
  /** Keep the k most likely tokens before sampling (ties at the k-th value are kept too); 0/undefined = off. */
  topK?: number;
  /** Nucleus sampling: keep the smallest set of most likely tokens with cumulative probability ≥ p; 1/undefined = off. */
  topP?: number;
  /** CTRL's repetition penalty θ for tokens already in the context (prompt + generated); 1/undefined = off. */
  repetitionPenalty?: number;
  /** Token ids that end a sequence (e.g. `<|endoftext|>`); they are not part of the returned ids. */
  stopIds?: readonly number[];
  /** Seed for a fresh generator; ignored when `generator` is given. Neither → loom's default generator. */
  seed?: number;
  generator?: Generator;
  /** Reuse keys/values of past positions (KV cache). Default true; false recomputes the window each step. */
  useCache?: boolean;
  /** Beam search with this many beams when > 1 (deterministic; temperature/topK/topP are not used). Default 1. */
  numBeams?: number;
  /** Beam score = sum of log-probs / lp(generated length), lp = length^lengthPenalty ("power", HF's). Default 1. */
  lengthPenalty?: number;
  /** "gnmt": lp = ((5 + length) / 6)^lengthPenalty instead (Wu et al. 2016). Default "power". */
  lengthPenaltyKind?: LengthPenaltyKind;
  /** Beam search stops once numBeams hypotheses are finished (true), when no beam can still beat them (false,
   *  the default), or only at maxNewTokens / when every beam is finished ("never"). */
  earlyStopping?: boolean | "never";
}

/** {@link GenerateOptions} with every default filled in and checked. */
export interface ResolvedGenerateOptions {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  stopIds: ReadonlySet<number>;
  generator: Generator;
  useCache: boolean;
  numBeams: number;
  lengthPenalty: number;
  lengthPenaltyKind: LengthPenaltyKind;
  earlyStopping: boolean | "never";
}

function check(ok: boolean, name: string, expected: string, value: unknown): void {
  if (!ok) throw new ValueError(`generate: ${name} must be ${expected}, got ${String(value)}`);
}

/** Fills in the defaults of generation options and checks them against the vocabulary size. */
export function resolveGenerateOptions(options: GenerateOptions, vocabSize: number): ResolvedGenerateOptions {
  const o = {
    maxNewTokens: options.maxNewTokens ?? 100,
    temperature: options.temperature ?? 1,
    topK: options.topK ?? 0,
    topP: options.topP ?? 1,
    repetitionPenalty: options.repetitionPenalty ?? 1,
    numBeams: options.numBeams ?? 1,
    lengthPenalty: options.lengthPenalty ?? 1,
    lengthPenaltyKind: options.lengthPenaltyKind ?? "power",
    earlyStopping: options.earlyStopping ?? false,
  };
  check(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 0, "maxNewTokens", "an integer ≥ 0", o.maxNewTokens);
  check(Number.isFinite(o.temperature) && o.temperature >= 0, "temperature", "a finite number ≥ 0", o.temperature);
  check(Number.isInteger(o.topK) && o.topK >= 0, "topK", "an integer ≥ 0", o.topK);
  check(o.topP > 0 && o.topP <= 1, "topP", "in (0, 1]", o.topP);
  check(Number.isFinite(o.repetitionPenalty) && o.repetitionPenalty > 0, "repetitionPenalty", "a positive number", o.repetitionPenalty);
  check(Number.isInteger(o.numBeams) && o.numBeams >= 1 && o.numBeams <= MAX_BEAMS, "numBeams", `an integer in [1, ${MAX_BEAMS}]`, o.numBeams);
  check(o.lengthPenaltyKind === "power" || o.lengthPenaltyKind === "gnmt", "lengthPenaltyKind", '"power" or "gnmt"', o.lengthPenaltyKind);
  check(Number.isFinite(o.lengthPenalty), "lengthPenalty", "a finite number", o.lengthPenalty);
  check(o.earlyStopping === true || o.earlyStopping === false || o.earlyStopping === "never", "earlyStopping", 'true, false or "never"', o.earlyStopping);
  const stopIds = options.stopIds ?? [];
  for (const id of stopIds) check(Number.isInteger(id) && id >= 0 && id < vocabSize, "stopIds", `ids in [0, ${vocabSize})`, id);
  const generator = options.generator ?? (options.seed !== undefined ? new Generator(options.seed) : defaultGenerator);
  return { ...o, stopIds: new Set(stopIds), generator, useCache: options.useCache ?? true };
}
