/**
 * A DistilBERT student initialised from a BERT teacher (Sanh et al. 2019, §3: "we initialize the student
 * from the teacher by taking one layer out of two"): same width, heads and vocabulary; each student layer
 * copies a chosen teacher layer (by default 0, 2, 4, …); the MLM head copies cls.predictions. DistilBERT
 * has no token types, so the teacher's type-0 row is folded into the position table: for single-segment
 * input the student's embeddings then equal the teacher's exactly.
 */
import { ValueError } from "../../errors.js";
import { add, unsqueeze } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../autograd/grad-mode.js";
import type { BertModel } from "../bert/model.js";
import type { BertForMaskedLM, BertForPreTraining } from "../bert/heads.js";
import { DISTILBERT_LAYER_NORM_EPS, type DistilBertConfig } from "./config.js";
import { DistilBertForMaskedLM } from "./heads.js";

/** Options of {@link distilbertFromTeacher}. */
export interface DistilBertFromTeacherOptions {
  /** Teacher layers the student copies, in order (default every other layer from 0: ⌈L/2⌉ layers). */
  layers?: readonly number[];
  /** Student settings that do not change its shape (dropout rates). */
  config?: Partial<Pick<DistilBertConfig, "dropout" | "attention_dropout" | "qa_dropout" | "seq_classif_dropout">>;
}

/** teacher layer name → student layer name, within one layer. */
const LAYER_NAMES: readonly [string, string][] = [
  ["attention.self.query", "attention.q_lin"],
  ["attention.self.key", "attention.k_lin"],
  ["attention.self.value", "attention.v_lin"],
  ["attention.output.dense", "attention.out_lin"],
  ["attention.output.LayerNorm", "sa_layer_norm"],
  ["intermediate.dense", "ffn.lin1"],
  ["output.dense", "ffn.lin2"],
  ["output.LayerNorm", "output_layer_norm"],
];

/**
 * A DistilBertForMaskedLM initialised from `teacher` (a BertModel, BertForMaskedLM or BertForPreTraining,
 * in the teacher's dtype). Without a teacher MLM head the student's head keeps its fresh initialisation.
 */
export function distilbertFromTeacher(teacher: BertModel | BertForMaskedLM | BertForPreTraining, options: DistilBertFromTeacherOptions = {}): DistilBertForMaskedLM {
  const op = "distilbertFromTeacher";
  const tc = teacher.config;
  if (tc.layer_norm_eps !== DISTILBERT_LAYER_NORM_EPS) {
    throw new ValueError(`${op}: the teacher's layer_norm_eps = ${tc.layer_norm_eps}, but DistilBERT's LayerNorms use ${DISTILBERT_LAYER_NORM_EPS}; the copy would not compute the same function`);
  }
  const L = tc.num_hidden_layers;
  const layers = options.layers ?? Array.from({ length: Math.ceil(L / 2) }, (_, i) => 2 * i);
  if (layers.length === 0) throw new ValueError(`${op}: layers must name at least one teacher layer`);
  for (const l of layers) {
    if (!(Number.isInteger(l) && l >= 0 && l < L)) throw new ValueError(`${op}: layer ${l} is outside the teacher's [0, num_hidden_layers = ${L})`);
  }
  const student = new DistilBertForMaskedLM({
    vocab_size: tc.vocab_size, max_position_embeddings: tc.max_position_embeddings, n_layers: layers.length, n_heads: tc.num_attention_heads,
    dim: tc.hidden_size, hidden_dim: tc.intermediate_size, activation: tc.hidden_act, dropout: tc.hidden_dropout_prob,
    attention_dropout: tc.attention_probs_dropout_prob, initializer_range: tc.initializer_range, pad_token_id: tc.pad_token_id, ...options.config,
  });
  const own = teacher.stateDict();
  const prefix = own.has("embeddings.word_embeddings.weight") ? "" : "bert.";
  const get = (name: string): Tensor => own.get(prefix + name) as Tensor;
  student.to(get("embeddings.word_embeddings.weight").dtype as "float32" | "float64");
  const sd = new Map<string, Tensor>();
  const e = "distilbert.embeddings.";
  sd.set(`${e}word_embeddings.weight`, get("embeddings.word_embeddings.weight"));
  // positions + type 0: the student adds the teacher's segment-A embedding to every token through its position table.
  const typeZero = unsqueeze(get("embeddings.token_type_embeddings.weight").slice(0, 0, 1).reshape([tc.hidden_size]), 0); // [1, C]
  sd.set(`${e}position_embeddings.weight`, noGrad(() => add(get("embeddings.position_embeddings.weight"), typeZero))); // [P, C]
  sd.set(`${e}LayerNorm.weight`, get("embeddings.LayerNorm.weight"));
  sd.set(`${e}LayerNorm.bias`, get("embeddings.LayerNorm.bias"));
  layers.forEach((from, to) => {
    for (const [t, s] of LAYER_NAMES) {
      for (const p of ["weight", "bias"]) sd.set(`distilbert.transformer.layer.${to}.${s}.${p}`, get(`encoder.layer.${from}.${t}.${p}`));
    }
  });
  if (own.has("cls.predictions.bias")) {
    for (const [t, s] of [["cls.predictions.transform.dense", "vocab_transform"], ["cls.predictions.transform.LayerNorm", "vocab_layer_norm"]] as const) {
      for (const p of ["weight", "bias"]) sd.set(`${s}.${p}`, own.get(`${t}.${p}`) as Tensor);
    }
    sd.set("vocab_projector.bias", own.get("cls.predictions.bias") as Tensor);
  }
  student.loadStateDict(sd, { strict: false });
  return student;
}
