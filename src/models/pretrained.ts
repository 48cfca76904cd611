/**
 * Saving and loading a model folder (`config.json` + `model.safetensors`, and `tokenizer.json` when a
 * tokenizer is given: Hugging Face's layout) for any registered family: `savePretrained(model, dir)` and
 * `fromPretrained(dir)`, as transformers' `save_pretrained` / `from_pretrained`. The family comes from
 * the model registry. A non-strict load (fine-tuning a pretrained encoder under a new head) loads what
 * matches and reports the names left fresh and the names not used, as transformers does.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { encodeSafetensors, loadSafetensors, type SafetensorsArray, type SafetensorsEntry } from "../io/safetensors.js";
import { Tensor } from "../tensor/tensor.js";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import "./families.js";
import { type RegisteredModel, checkpointNames, familyOfConfig, familyOfModel } from "./registry.js";

/** Options of {@link savePretrained}: metadata for model.safetensors' header, and the tokenizer to save beside the model. */
export interface SavePretrainedOptions {
  /** String metadata stored in model.safetensors' header (e.g. the training step). */
  metadata?: Record<string, string>;
  /** Written as tokenizer.json, so the folder is complete for transformers' AutoTokenizer and loom. */
  tokenizer?: Tokenizer;
  /** How float32 weights are stored: "F32" (default), or rounded to "F16"/"BF16" (half the size; loads widened to float32). */
  floatDType?: "F32" | "F16" | "BF16";
}

/** A file of a model folder, encoded: its name and its text or bytes (in chunks, as encodeSafetensors gives them). */
export interface PretrainedFile {
  name: string;
  data: string | readonly Uint8Array[];
}

/**
 * The files of a model folder, encoded in memory (for writers that place them themselves, such as a
 * run's checkpoints): `model.safetensors` (the state dict with PyTorch/HF names; a tied weight once),
 * `config.json` (the family's config, with model_type) and, when a tokenizer is given, `tokenizer.json`.
 */
export function pretrainedFiles(model: RegisteredModel, options: SavePretrainedOptions = {}): PretrainedFile[] {
  const family = familyOfModel(model);
  const entries: [string, { shape: readonly number[]; data: SafetensorsArray }][] = [];
  for (const [name, t] of model.stateDict()) {
    const half = t.dtype === "float16" ? "F16" : t.dtype === "bfloat16" ? "BF16" : null;
    entries.push([name, { shape: t.shape, data: t.toTypedArray() as SafetensorsArray, ...(half ? { dtype: half } : {}) }]);
  }
  return [
    { name: "model.safetensors", data: encodeSafetensors(entries, { format: "pt", ...options.metadata }, { floatDType: options.floatDType ?? "F32" }) },
    { name: "config.json", data: JSON.stringify(family.toConfig(model), null, 2) + "\n" },
    ...(options.tokenizer === undefined ? [] : [{ name: "tokenizer.json", data: options.tokenizer.toString(true) + "\n" }]),
  ];
}

/**
 * Writes `dir/model.safetensors`, `dir/config.json` and (given a tokenizer) `dir/tokenizer.json` (see pretrainedFiles), each atomically. The
 * folder loads with `fromPretrained`, and a GPT's in transformers' GPT2LMHeadModel.
 */
export function savePretrained(model: RegisteredModel, dir: string, options: SavePretrainedOptions = {}): void {
  for (const f of pretrainedFiles(model, options)) writeFileAtomic(join(dir, f.name), f.data);
}

/** Options of {@link fromPretrained}: a check of the file's tensors, the class to build, config overrides and strictness. */
export interface FromPretrainedOptions {
  /** Checks the file's tensors before they are loaded (e.g. that every weight is finite); throws to refuse. */
  validate?: (file: string, tensors: ReadonlyMap<string, SafetensorsEntry>) => void;
  /**
   * The class to build instead of config.json's `architectures` (e.g. "BertForSequenceClassification"
   * from a BertForPreTraining folder, as transformers' `BertForSequenceClassification.from_pretrained`).
   * It must belong to the folder's family.
   */
  architecture?: string;
  /** config.json fields to override before building (e.g. `{ num_labels: 2 }` for a new head). */
  config?: Record<string, unknown>;
  /**
   * true (default): every weight must be in the file and every tensor of the file used. false: weights
   * the file lacks keep their fresh initialisation and tensors the model lacks are skipped; both are
   * reported (`missingKeys`, `unexpectedKeys`). A shape mismatch is an error either way.
   */
  strict?: boolean;
  /** Also read dir/tokenizer.json when the folder has one (default false: a model load reads no tokenizer, as transformers). */
  withTokenizer?: boolean;
}

/** What {@link fromPretrained} returns: the model, model.safetensors' metadata, the folder's tokenizer and what a non-strict load left out. */
export interface PretrainedModel {
  model: RegisteredModel;
  metadata: Record<string, string>;
  /** dir/tokenizer.json, when asked for (`withTokenizer`) and the folder has one; else null. */
  tokenizer: Tokenizer | null;
  /** Model weights the file did not have (freshly initialised; empty for a strict load). */
  missingKeys: string[];
  /** Checkpoint tensors the model has no place for (skipped; empty for a strict load). */
  unexpectedKeys: string[];
}

/** Reads `dir/config.json` and builds the (untrained) model its family describes (with `options`' class and overrides). */
export function modelFromConfigFile(dir: string, options: Pick<FromPretrainedOptions, "architecture" | "config"> = {}): RegisteredModel {
  const file = join(dir, "config.json");
  if (!existsSync(file)) throw new FormatError(file, "(file)", "missing: is this a model folder?");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FormatError(file, "(root)", `invalid JSON (${(e as Error).message})`);
  }
  const family = familyOfConfig(raw, file);
  const config = { ...(raw as Record<string, unknown>), ...options.config };
  if (options.architecture !== undefined) {
    if (!family.architectures.includes(options.architecture)) {
      throw new FormatError(file, "architectures", `${JSON.stringify(options.architecture)} is not a ${family.modelType} class (${family.architectures.join(", ")})`);
    }
    config.architectures = [options.architecture];
    // A new head's size comes from num_labels, not from the old head's id2label.
    if (options.config !== undefined && "num_labels" in options.config) delete config.id2label;
  }
  return family.fromConfig(config, file);
}

/** The first name of a loadStateDict complaint ("… missing keys: a, b; …"), for the error's field. */
function firstTensorName(message: string): string {
  return /(?:missing keys|unexpected keys|shape mismatches): ([^\s,;]+)/.exec(message)?.[1] ?? "(tensors)";
}

/**
 * Loads a model folder written by `savePretrained` (or by transformers): the family from config.json's
 * model_type (or architectures), the weights from model.safetensors by name, with the family's prefix,
 * tie and buffer rules and the legacy LayerNorm names gamma/beta. Strict by default: every weight must
 * be present, none left over; an error names the file, the tensor and both shapes. Returns the model (in
 * training mode, as a new Module), the safetensors metadata, the folder's tokenizer.json if asked for, and what
 * a non-strict load left out.
 */
export function fromPretrained(dir: string, options: FromPretrainedOptions = {}): PretrainedModel {
  const model = modelFromConfigFile(dir, options);
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
  let report: { missingKeys: string[]; unexpectedKeys: string[] };
  try {
    report = model.loadStateDict(sd, { strict: options.strict ?? true });
  } catch (e) {
    const message = (e as Error).message;
    throw new FormatError(file, firstTensorName(message), message);
  }
  const tokenizerFile = join(dir, "tokenizer.json");
  const tokenizer = options.withTokenizer === true && existsSync(tokenizerFile) ? Tokenizer.fromFile(tokenizerFile) : null;
  return { model, metadata: st.metadata, tokenizer, missingKeys: report.missingKeys, unexpectedKeys: report.unexpectedKeys };
}
