/**
 * The model registry: one family descriptor per model folder, found by config.json's `model_type` (or
 * an `architectures` entry), as tokenizer components are found by their "type". Checkpoints, the CLI
 * and `fromPretrained` ask the registry, never `instanceof`: a model names its family in `modelType`.
 * A descriptor holds what Hugging Face spreads over a config class and `PreTrainedModel` attributes:
 * the config reader/writer, the constructor, the weight-name prefix (`base_model_prefix`), tied
 * weights (`_tied_weights_keys`) and buffers a checkpoint may carry that are not weights.
 */
import { FormatError } from "../errors.js";
import type { Module } from "../nn/module.js";
import { unknownKeyMessage } from "./config-fields.js";

/** A model the registry can save and load: a Module that names its family. */
export interface RegisteredModel extends Module {
  readonly modelType: string;
  readonly config: object;
}

/**
 * What the registry knows of a model family: its model_type, config reader and writer, constructor, weight-name prefix, tied and
 * ignored weights.
 */
export interface ModelFamily<M extends RegisteredModel = RegisteredModel> {
  /** config.json's model_type. */
  readonly modelType: string;
  /** Hugging Face class names in config.json's `architectures` that mean this family. */
  readonly architectures: readonly string[];
  /** Reads a config.json object (errors name the file and the field) and builds the untrained model. */
  fromConfig(raw: Record<string, unknown>, file: string): M;
  /** The config.json object of a model of this family (model_type included). */
  toConfig(model: M): Record<string, unknown>;
  /** Names of a bare base model lack this prefix (e.g. GPT-2's `transformer.` in GPT2Model files). */
  readonly weightPrefix?: string;
  /** Checkpoint names that alias another weight when the model ties them (e.g. lm_head.weight → wte). */
  tiedWeights?(model: M): readonly string[];
  /** Names a checkpoint may carry that are buffers, not weights (skipped on load). */
  readonly ignoredWeights?: readonly RegExp[];
  /**
   * Whether a config.json without model_type describes this family; a family that answers true for
   * nothing is never chosen without model_type.
   */
  recognizes?(raw: Record<string, unknown>): boolean;
}

const families = new Map<string, ModelFamily>();

/** Adds a family (replacing one with the same model_type). */
export function registerModelFamily<M extends RegisteredModel>(family: ModelFamily<M>): void {
  families.set(family.modelType, family as unknown as ModelFamily);
}

/** The model_types the registry knows. */
export function modelTypes(): string[] {
  return [...families.keys()];
}

/** The family of a model, by its modelType. */
export function familyOfModel(model: RegisteredModel): ModelFamily {
  const family = families.get(model.modelType);
  if (family === undefined) throw new FormatError("(model)", "modelType", `no registered family ${JSON.stringify(model.modelType)} (known: ${modelTypes().join(", ")})`);
  return family;
}

/**
 * The family a config.json object describes: by model_type; without one, by `architectures`, then by
 * a family that recognises the fields. An unknown model_type is an error (a LLaMA config must not load
 * as something else).
 */
export function familyOfConfig(raw: unknown, file: string): ModelFamily {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FormatError(file, "(root)", "expected a JSON object");
  const obj = raw as Record<string, unknown>;
  const type = obj.model_type;
  if (type !== undefined) {
    if (typeof type !== "string") throw new FormatError(file, "model_type", `expected a string, got ${JSON.stringify(type)}`);
    const family = families.get(type);
    if (family === undefined) {
      throw new FormatError(file, "model_type", `${JSON.stringify(type)} is not a model family loom has (${unknownKeyMessage(type, modelTypes()).replace(/^unknown key "[^"]*" /, "")})`);
    }
    return family;
  }
  const architectures = Array.isArray(obj.architectures) ? obj.architectures.filter((a): a is string => typeof a === "string") : [];
  for (const family of families.values()) {
    if (architectures.some((a) => family.architectures.includes(a))) return family;
  }
  for (const family of families.values()) if (family.recognizes?.(obj)) return family;
  throw new FormatError(file, "model_type", `missing, and neither architectures nor the fields identify a model family (known: ${modelTypes().join(", ")})`);
}

/**
 * The model name a checkpoint name stands for: Hugging Face's legacy LayerNorm names (`gamma`/`beta`,
 * from TensorFlow-era checkpoints) become `weight`/`bias`, and the family's prefix is added or removed
 * where the model expects it (a base model's file into a head model, and the reverse, as transformers).
 */
function modelNameOf(raw: string, expected: ReadonlySet<string>, prefix: string | undefined): string {
  const candidates = [raw];
  const legacy = raw.replace(/\.gamma$/, ".weight").replace(/\.beta$/, ".bias");
  if (legacy !== raw) candidates.push(legacy);
  for (const name of candidates) {
    if (expected.has(name)) return name;
    if (prefix === undefined) continue;
    if (expected.has(prefix + name)) return prefix + name;
    if (name.startsWith(prefix) && expected.has(name.slice(prefix.length))) return name.slice(prefix.length);
  }
  return raw;
}

/**
 * Maps a checkpoint's tensor names onto the model's: legacy `gamma`/`beta` names, the family's prefix
 * added or removed where the model expects it, tied aliases and ignored buffers dropped. Returns
 * [model name, checkpoint name] pairs.
 */
export function checkpointNames(model: RegisteredModel, names: Iterable<string>, expected: ReadonlySet<string>): [string, string][] {
  const family = familyOfModel(model);
  const tied = new Set(family.tiedWeights?.(model) ?? []);
  const out: [string, string][] = [];
  for (const raw of names) {
    const name = modelNameOf(raw, expected, family.weightPrefix);
    if (tied.has(name)) continue;
    if (family.ignoredWeights?.some((r) => r.test(name))) continue;
    out.push([name, raw]);
  }
  return out;
}
