/**
 * A sequence classifier's model folder: `config.json` (through the model registry, with the class
 * names in `id2label`/`label2id` as transformers writes them), `model.safetensors`, `tokenizer.json`,
 * and `tokenizer_config.json` (`model_max_length`, and loom's `loom_head_tokens` for head + tail
 * truncation). Also: a classifier initialised from a pretrained encoder folder (the encoder's weights
 * by name, the classification head new), as transformers' `from_pretrained` of a
 * `…ForSequenceClassification` on a pretraining checkpoint.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError, ValueError } from "../../errors.js";
import type { ClassifierPooling } from "../../models/bert/config.js";
import { fromPretrained, pretrainedFiles } from "../../models/pretrained.js";
import { familyOfConfig, type RegisteredModel } from "../../models/registry.js";
import type { Tensor } from "../../tensor/tensor.js";
import { Tokenizer } from "../../tokenizers/tokenizer.js";
import type { RunFile } from "../run-folder.js";
import { checkFiniteWeights } from "../weights-check.js";
import type { ClassificationInputOptions } from "./inputs.js";

/** What fine-tuning and classifying need of a model: a registered `…ForSequenceClassification`. */
export interface SequenceClassifier extends RegisteredModel {
  /** The HF class name, ending in "ForSequenceClassification". */
  readonly architecture: string;
  readonly config: { num_labels: number; max_position_embeddings: number };
  forward(inputIds: Tensor, options: { attentionMask?: Tensor; labels?: Tensor }): { loss: Tensor | null; logits: Tensor };
}

const CLASSIFIER_SUFFIX = "ForSequenceClassification";

/** The families whose config has classifier_pooling (BERT's field, shared by RoBERTa). */
const POOLING_FAMILIES: readonly string[] = ["bert", "roberta"];

/** The model as a classifier, or a FormatError naming `file` when it is another head (or a regression head). */
export function asSequenceClassifier(model: RegisteredModel, file: string): SequenceClassifier {
  const architecture = (model as { architecture?: unknown }).architecture;
  if (typeof architecture !== "string" || !architecture.endsWith(CLASSIFIER_SUFFIX)) {
    throw new FormatError(file, "architectures", `${JSON.stringify(architecture)} is not a sequence classifier (…${CLASSIFIER_SUFFIX})`);
  }
  const labels = (model.config as { num_labels?: unknown }).num_labels;
  if (typeof labels !== "number" || labels < 2) throw new FormatError(file, "num_labels", `a classifier needs at least 2 classes, got ${JSON.stringify(labels)}`);
  return model as SequenceClassifier;
}

/** The model's files with the class names written into config.json's id2label and label2id. */
export function classifierFiles(model: SequenceClassifier, labels: readonly string[], metadata: Record<string, string> = {}): RunFile[] {
  return pretrainedFiles(model, { metadata }).map((f) => {
    if (f.name !== "config.json") return f;
    const config = JSON.parse(f.data as string) as Record<string, unknown>;
    config.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    config.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
    return { name: f.name, data: JSON.stringify(config, null, 2) + "\n" };
  });
}

/** tokenizer_config.json: transformers' `model_max_length`, and the head share of head + tail truncation. */
export function classifierTokenizerConfig(options: ClassificationInputOptions, headTokens: number): RunFile {
  return { name: "tokenizer_config.json", data: JSON.stringify({ model_max_length: options.maxLength, loom_head_tokens: headTokens }, null, 2) + "\n" };
}

function readJsonObject(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FormatError(file, "(root)", `invalid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FormatError(file, "(root)", "expected a JSON object");
  return raw as Record<string, unknown>;
}

/** Class names from config.json's id2label (keys 0…n−1), or LABEL_i when it has none. */
export function readLabelNames(dir: string, numLabels: number): string[] {
  const file = join(dir, "config.json");
  const id2label = readJsonObject(file).id2label;
  if (id2label === undefined) return Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  if (typeof id2label !== "object" || id2label === null || Array.isArray(id2label)) throw new FormatError(file, "id2label", "expected an object");
  const map = id2label as Record<string, unknown>;
  return Array.from({ length: numLabels }, (_, i) => {
    const name = map[String(i)];
    if (typeof name !== "string") throw new FormatError(file, `id2label.${i}`, `expected a class name, got ${JSON.stringify(name)}`);
    return name;
  });
}

/** The truncation settings a classifier folder was trained with (tokenizer_config.json), or the model's limit. */
export function readInputOptions(dir: string, modelMax: number): Required<ClassificationInputOptions> | { maxLength: number; headTokens?: undefined } {
  const file = join(dir, "tokenizer_config.json");
  if (!existsSync(file)) return { maxLength: modelMax };
  const raw = readJsonObject(file);
  const maxLength = raw.model_max_length ?? modelMax;
  if (typeof maxLength !== "number" || !Number.isInteger(maxLength) || maxLength < 1) throw new FormatError(file, "model_max_length", `expected a positive integer, got ${JSON.stringify(maxLength)}`);
  const head = raw.loom_head_tokens;
  if (head === undefined) return { maxLength: Math.min(maxLength, modelMax) };
  if (typeof head !== "number" || !Number.isInteger(head) || head < 0) throw new FormatError(file, "loom_head_tokens", `expected an integer ≥ 0, got ${JSON.stringify(head)}`);
  return { maxLength: Math.min(maxLength, modelMax), headTokens: head };
}

/** A classifier folder: the model (strictly loaded), its class names, tokenizer and input settings. */
export interface LoadedClassifier {
  model: SequenceClassifier;
  labels: string[];
  tokenizer: Tokenizer;
  inputs: ClassificationInputOptions;
}

/** Loads a classifier folder written by fine-tuning (or by transformers, for a BERT classifier). */
export function loadClassifier(dir: string): LoadedClassifier {
  const { model } = fromPretrained(dir, { validate: checkFiniteWeights });
  const classifier = asSequenceClassifier(model, join(dir, "config.json"));
  const labels = readLabelNames(dir, classifier.config.num_labels);
  const tokenizer = Tokenizer.fromFile(join(dir, "tokenizer.json"));
  const read = readInputOptions(dir, classifier.config.max_position_embeddings);
  const inputs: ClassificationInputOptions = read.headTokens === undefined ? { maxLength: read.maxLength } : { maxLength: read.maxLength, headTokens: read.headTokens };
  return { model: classifier, labels, tokenizer, inputs };
}

/** What {@link classifierFromEncoder} loaded: the model and the names it did not fill or use. */
export interface EncoderInitialisation {
  model: SequenceClassifier;
  /** Model weights the folder has no tensor for (the new head: e.g. classifier.*, and a pooler an MLM checkpoint lacks). */
  newWeights: string[];
  /** Tensors of the folder the classifier has no place for (e.g. the pretraining heads cls.*). */
  unusedWeights: string[];
}

/**
 * A `…ForSequenceClassification` with `numLabels` classes built from a pretrained folder's config.json
 * (any class of the same family) and initialised from its model.safetensors by name (fromPretrained's
 * non-strict load: a tensor of another shape is an error; the classification head keeps its fresh
 * initialisation), as transformers' `…ForSequenceClassification.from_pretrained` on a pretraining
 * checkpoint. `pooling` sets a BERT or RoBERTa classifier's classifier_pooling (else the folder's own).
 */
export function classifierFromEncoder(dir: string, numLabels: number, pooling?: ClassifierPooling): EncoderInitialisation {
  const configFile = join(dir, "config.json");
  const family = familyOfConfig(readJsonObject(configFile), configFile);
  const architecture = family.architectures.find((a) => a.endsWith(CLASSIFIER_SUFFIX));
  if (architecture === undefined) throw new FormatError(configFile, "model_type", `the ${family.modelType} family has no sequence classifier in loom`);
  if (pooling !== undefined && !POOLING_FAMILIES.includes(family.modelType)) {
    throw new ValueError(`pooling "${pooling}": the ${family.modelType} classifier in ${dir} reads its first token only (classifier_pooling is a BERT and RoBERTa setting)`);
  }
  const config = pooling === undefined ? { num_labels: numLabels } : { num_labels: numLabels, classifier_pooling: pooling };
  const loaded = fromPretrained(dir, { architecture, config, strict: false, validate: checkFiniteWeights });
  const model = asSequenceClassifier(loaded.model, configFile);
  if (loaded.missingKeys.length === model.stateDict().size) throw new FormatError(join(dir, "model.safetensors"), "(tensors)", `no tensor matches a weight of ${architecture}: is this a ${family.modelType} checkpoint?`);
  return { model, newWeights: loaded.missingKeys, unusedWeights: loaded.unexpectedKeys };
}
