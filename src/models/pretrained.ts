/**
 * Saving and loading a model folder (`config.json` + `model.safetensors`, Hugging Face's layout) for any
 * registered family: `savePretrained(model, dir)` and `fromPretrained(dir)`, as transformers'
 * `save_pretrained` / `from_pretrained`. The family comes from the model registry.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { encodeSafetensors, loadSafetensors, type SafetensorsArray, type SafetensorsEntry } from "../io/safetensors.js";
import { Tensor } from "../tensor/tensor.js";
import "./families.js";
import { type RegisteredModel, checkpointNames, familyOfConfig, familyOfModel } from "./registry.js";

/** Options of {@link savePretrained}: metadata for model.safetensors' header. */
export interface SavePretrainedOptions {
  /** String metadata stored in model.safetensors' header (e.g. the training step). */
  metadata?: Record<string, string>;
}

/** A file of a model folder, encoded: its name and its text or bytes (in chunks, as encodeSafetensors gives them). */
export interface PretrainedFile {
  name: string;
  data: string | readonly Uint8Array[];
}

/**
 * The files of a model folder, encoded in memory (for writers that place them themselves, such as a
 * run's checkpoints): `model.safetensors` (the state dict with PyTorch/HF names; a tied weight once)
 * and `config.json` (the family's config, with model_type).
 */
export function pretrainedFiles(model: RegisteredModel, options: SavePretrainedOptions = {}): PretrainedFile[] {
  const family = familyOfModel(model);
  const entries: [string, { shape: readonly number[]; data: SafetensorsArray }][] = [];
  for (const [name, t] of model.stateDict()) entries.push([name, { shape: t.shape, data: t.toTypedArray() as SafetensorsArray }]);
  return [
    { name: "model.safetensors", data: encodeSafetensors(entries, { format: "pt", ...options.metadata }) },
    { name: "config.json", data: JSON.stringify(family.toConfig(model), null, 2) + "\n" },
  ];
}

/**
 * Writes `dir/model.safetensors` and `dir/config.json` (see pretrainedFiles), each atomically. The
 * folder loads with `fromPretrained`, and a GPT's in transformers' GPT2LMHeadModel.
 */
export function savePretrained(model: RegisteredModel, dir: string, options: SavePretrainedOptions = {}): void {
  for (const f of pretrainedFiles(model, options)) writeFileAtomic(join(dir, f.name), f.data);
}

/** Options of {@link fromPretrained}: a check of the file's tensors before they load. */
export interface FromPretrainedOptions {
  /** Checks the file's tensors before they are loaded (e.g. that every weight is finite); throws to refuse. */
  validate?: (file: string, tensors: ReadonlyMap<string, SafetensorsEntry>) => void;
}

/** Reads `dir/config.json` and builds the (untrained) model its family describes. */
export function modelFromConfigFile(dir: string): RegisteredModel {
  const file = join(dir, "config.json");
  if (!existsSync(file)) throw new FormatError(file, "(file)", "missing: is this a model folder?");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FormatError(file, "(root)", `invalid JSON (${(e as Error).message})`);
  }
  return familyOfConfig(raw, file).fromConfig(raw as Record<string, unknown>, file);
}

/**
 * Loads a model folder written by `savePretrained` (or by transformers, for a GPT-2): the family from
 * config.json's model_type (or architectures), the weights from model.safetensors by name, with the
 * family's prefix, tie and buffer rules. Every weight must be present, none left over. Returns the
 * model (in training mode, as a new Module) and the safetensors metadata.
 */
export function fromPretrained(dir: string, options: FromPretrainedOptions = {}): { model: RegisteredModel; metadata: Record<string, string> } {
  const model = modelFromConfigFile(dir);
  const file = join(dir, "model.safetensors");
  const st = loadSafetensors(file);
  const expected = model.stateDict();
  const sd = new Map<string, Tensor>();
  for (const [name, raw] of checkpointNames(model, st.tensors.keys(), new Set(expected.keys()))) {
    const entry = st.tensors.get(raw);
    if (entry === undefined) continue;
    if (!(entry.data instanceof Float32Array || entry.data instanceof Float64Array)) {
      throw new FormatError(file, raw, `expected floating-point weights, got ${entry.dtype}`);
    }
    sd.set(name, new Tensor(entry.data, entry.shape));
  }
  options.validate?.(file, st.tensors);
  try {
    model.loadStateDict(sd, { strict: true });
  } catch (e) {
    throw new FormatError(file, "(tensors)", (e as Error).message);
  }
  return { model, metadata: st.metadata };
}
