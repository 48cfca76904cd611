/**
 * Node-only: opens a model folder of any registered family (a `loom train` run, or a BERT/T5 folder
 * saved with savePretrained or by transformers) with its tokenizer, for attention capture. Kept out
 * of `analysis/index.ts` so the browser build does not pull in `node:fs`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import { fromPretrained } from "../models/pretrained.js";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import type { CapturableModel } from "./capture.js";

/** A model folder's model (in evaluation mode), tokenizer and the step its weights were saved at. */
export interface OpenedModelFolder {
  /** The model, as its family builds it. */
  readonly model: CapturableModel;
  /** The folder's tokenizer.json. */
  readonly tokenizer: Tokenizer;
  /** `loom_step` of model.safetensors' metadata (0 when absent). */
  readonly step: number;
}

/**
 * Loads `dir`'s config.json, model.safetensors and tokenizer.json.
 * @throws FormatError naming the file that is missing or malformed.
 */
export function openModelFolder(dir: string): OpenedModelFolder {
  for (const file of ["config.json", "model.safetensors", "tokenizer.json"]) {
    if (!existsSync(join(dir, file))) throw new FormatError(join(dir, file), "(file)", "missing: a model folder holds config.json, model.safetensors and tokenizer.json");
  }
  const { model, metadata } = fromPretrained(dir);
  const forward = (model as { forward?: unknown }).forward;
  if (typeof forward !== "function") throw new FormatError(join(dir, "config.json"), "model_type", `${model.modelType} has no forward pass`);
  model.eval();
  return { model: model as CapturableModel, tokenizer: Tokenizer.fromFile(join(dir, "tokenizer.json")), step: Number(metadata.loom_step ?? 0) };
}
