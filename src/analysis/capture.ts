/**
 * Attention maps from a model's forward pass: the probabilities every attention call made (recorded by
 * nn's `captureAttention`, so models need no option of their own and ordinary forwards compute no
 * weights), grouped into stacks and turned into {@link AttentionMaps} with the tokens they belong to.
 *
 * Stacks, by what the attention call was: "encoder" (non-causal self-attention: BERT, T5's encoder),
 * "decoder" (causal self-attention: GPT, T5's decoder) and "cross" (T5's decoder over the encoder).
 * Shapes: B = 1 batch row, H heads, T query and S key positions; each record is [1, H, T, S].
 */
import { ShapeError, ValueError } from "../errors.js";
import { captureAttention, type CapturedAttention } from "../nn/attention/attention.js";
import { noGrad } from "../autograd/grad-mode.js";
import type { RegisteredModel } from "../models/registry.js";
import { Tensor } from "../tensor/tensor.js";
import { type AttentionMaps, createAttentionMaps } from "./attention-maps.js";

/** Which attention a stack holds (see the file comment). */
export type AttentionStackKind = "encoder" | "decoder" | "cross";

/** One stack of attention layers: its kind and its maps (layers × heads). */
export interface AttentionStack {
  /** "encoder", "decoder" or "cross". */
  readonly kind: AttentionStackKind;
  /** The weights of every layer and head of the stack. */
  readonly maps: AttentionMaps;
}

/** Tokens of the input(s), as labels: the source (the only input of GPT and BERT) and T5's decoder input. */
export interface CaptureTokens {
  /** Labels of the model's input ids (GPT, BERT; T5's encoder). */
  readonly source: readonly string[];
  /** Labels of T5's decoder input ids. */
  readonly target?: readonly string[];
}

function stackKind(record: CapturedAttention): AttentionStackKind {
  if (record.kind === "cross") return "cross";
  return record.causal ? "decoder" : "encoder";
}

/** One batch row's [H, T, S] weights as per-head Float32Arrays. */
function perHead(weights: Tensor, index: number): Float32Array[] {
  if (weights.ndim !== 4 || weights.shape[0] !== 1) {
    throw new ShapeError(`attention capture: call ${index} gave weights of shape [${weights.shape.join(", ")}], expected [1, H, T, S]`);
  }
  const [, H, T, S] = weights.shape as [number, number, number, number];
  const data = Float32Array.from(weights.contiguousValues() as ArrayLike<number>);
  return Array.from({ length: H }, (_, h) => data.subarray(h * T * S, (h + 1) * T * S));
}

/**
 * Groups captured attention calls into stacks (in the order each kind first appears) and builds their
 * maps. Encoder stacks use the source tokens; decoder stacks the target tokens when given (T5), else
 * the source (GPT); cross stacks have target queries over source keys.
 * @throws ShapeError when a record is not [1, H, T, S] or disagrees with the tokens.
 */
export function stacksFromCapture(records: readonly CapturedAttention[], tokens: CaptureTokens): AttentionStack[] {
  const grouped = new Map<AttentionStackKind, Float32Array[][]>();
  records.forEach((record, i) => {
    const kind = stackKind(record);
    const layers = grouped.get(kind) ?? [];
    layers.push(perHead(record.weights, i));
    grouped.set(kind, layers);
  });
  const target = tokens.target ?? tokens.source;
  return [...grouped].map(([kind, weights]) => {
    const keyTokens = kind === "decoder" ? target : tokens.source;
    const queryTokens = kind === "encoder" ? tokens.source : target;
    return { kind, maps: createAttentionMaps({ weights, keyTokens, queryTokens, causal: kind === "decoder" }) };
  });
}

/** A model the capture can run: a registered model whose forward takes ids [B, T] first. */
export interface CapturableModel extends RegisteredModel {
  forward(ids: Tensor, options?: object): unknown;
}

/** What {@link captureModelAttention} needs: the ids and their token labels. */
export interface CaptureInput {
  /** The model's input ids (GPT, BERT; T5's encoder input). */
  readonly ids: readonly number[];
  /** T5's decoder input ids (default: the decoder start token alone). */
  readonly targetIds?: readonly number[];
  /** Labels of the ids, for the maps. */
  readonly tokens: CaptureTokens;
}

function idTensor(ids: readonly number[], what: string): Tensor {
  if (ids.length === 0) throw new ValueError(`captureModelAttention: ${what} is empty`);
  return new Tensor(Int32Array.from(ids), [1, ids.length]);
}

/**
 * Runs one forward pass of `model` (in evaluation mode, without gradients) on one input and returns the
 * attention stacks it made. The model's family is told by its registry `modelType`: T5 ("t5") gets
 * decoder input ids; every other family runs on the ids alone.
 * @throws ValueError for empty ids; ShapeError when the labels do not match the ids.
 */
export function captureModelAttention(model: CapturableModel, input: CaptureInput): AttentionStack[] {
  const ids = idTensor(input.ids, "ids");
  if (input.tokens.source.length !== input.ids.length) {
    throw new ShapeError(`captureModelAttention: ${input.tokens.source.length} source labels for ${input.ids.length} ids`);
  }
  const encoderDecoder = model.modelType === "t5";
  let options: object = {};
  let tokens = input.tokens;
  if (encoderDecoder) {
    const config = model.config as { decoder_start_token_id?: number };
    const targetIds = input.targetIds ?? [config.decoder_start_token_id ?? 0];
    const target = input.tokens.target ?? targetIds.map(String);
    if (target.length !== targetIds.length) throw new ShapeError(`captureModelAttention: ${target.length} target labels for ${targetIds.length} decoder ids`);
    options = { decoderInputIds: idTensor(targetIds, "targetIds") };
    tokens = { source: input.tokens.source, target };
  }
  const wasTraining = model.training;
  model.eval();
  try {
    const { attentions } = captureAttention(() => noGrad(() => model.forward(ids, options)));
    return stacksFromCapture(attentions, tokens);
  } finally {
    if (wasTraining) model.train();
  }
}
