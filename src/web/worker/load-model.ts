/**
 * A model from a run's config.json object and model.safetensors bytes, without a file system: the
 * browser side of `fromPretrained` (models/pretrained.ts), through the same registry rules (family by
 * model_type, weight-name prefix, tied and ignored names) and a strict state-dict load.
 */
import { FormatError } from "../../errors.js";
import { decodeSafetensors } from "../../io/safetensors.js";
import { checkpointNames, familyOfConfig, type RegisteredModel } from "../../models/registry.js";
import "../../models/families.js";
import { Tensor } from "../../tensor/tensor.js";
import type { CapturableModel } from "../../analysis/capture.js";

/** A loaded model: registered, with a forward pass the attention capture can run. */
export type BrowserModel = CapturableModel & RegisteredModel;

/**
 * Builds the model `config` describes and loads `weights` into it (every weight present, none left
 * over). The model is returned in evaluation mode.
 * @throws FormatError naming the run's file and the field or tensor at fault.
 */
export function loadModelFromBytes(config: unknown, weights: Uint8Array, run: string): BrowserModel {
  const configFile = `${run}/config.json`;
  const weightsFile = `${run}/model.safetensors`;
  const model = familyOfConfig(config, configFile).fromConfig(config as Record<string, unknown>, configFile);
  if (typeof (model as { forward?: unknown }).forward !== "function") throw new FormatError(configFile, "model_type", `${model.modelType} has no forward pass`);
  const file = decodeSafetensors(weights, weightsFile);
  const expected = model.stateDict();
  const state = new Map<string, Tensor>();
  for (const [name, raw] of checkpointNames(model, file.tensors.keys(), new Set(expected.keys()))) {
    const entry = file.tensors.get(raw)!;
    if (!(entry.data instanceof Float32Array || entry.data instanceof Float64Array)) throw new FormatError(weightsFile, raw, `expected floating-point weights, got ${entry.dtype}`);
    state.set(name, new Tensor(entry.data, entry.shape));
  }
  try {
    model.loadStateDict(state, { strict: true });
  } catch (e) {
    throw new FormatError(weightsFile, "(tensors)", (e as Error).message);
  }
  model.eval();
  return model as BrowserModel;
}
