/**
 * Recurrent language model configuration (config.json with `model_type: "loom-rnnlm"`), typed plain
 * object with documented defaults; field names follow the GPT config where they mean the same thing.
 */
import { FormatError } from "../../errors.js";

/** The recurrent cell of a {@link RecurrentLM}. */
export type RecurrentCellType = "lstm" | "gru" | "rnn";

/** Settings of the recurrent language model (embedding → stacked RNN → linear head). */
export interface RecurrentLMConfig {
  cell: RecurrentCellType;
  vocab_size: number;
  /** Token embedding width. */
  n_embd: number;
  /** Hidden size of each recurrent layer. */
  hidden_size: number;
  n_layer: number;
  /** Dropout on embeddings, between layers and before the output layer. */
  dropout: number;
  /** Output layer shares the embedding matrix (needs n_embd = hidden_size). */
  tie_word_embeddings: boolean;
  /** A recurrent model has no position limit; kept for the generation interface. */
  n_positions: number;
}

/** The recurrent language model's defaults (a 2-layer LSTM). */
export const defaultRecurrentLMConfig: RecurrentLMConfig = {
  cell: "lstm",
  vocab_size: 256,
  n_embd: 128,
  hidden_size: 256,
  n_layer: 2,
  dropout: 0,
  tie_word_embeddings: false,
  n_positions: 2 ** 31 - 1,
};

/** The `model_type` a recurrent language model's config.json carries. */
export const RNNLM_MODEL_TYPE = "loom-rnnlm";

/** Checks a recurrent LM config, naming `file` and the field in any error. */
export function validateRecurrentLMConfig(c: RecurrentLMConfig, file: string): void {
  if (!["lstm", "gru", "rnn"].includes(c.cell)) throw new FormatError(file, "cell", `expected lstm, gru or rnn, got ${JSON.stringify(c.cell)}`);
  for (const k of ["vocab_size", "n_embd", "hidden_size", "n_layer", "n_positions"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new FormatError(file, k, `expected a positive integer, got ${JSON.stringify(c[k])}`);
  }
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1)) throw new FormatError(file, "dropout", `expected a probability in [0, 1), got ${JSON.stringify(c.dropout)}`);
  if (typeof c.tie_word_embeddings !== "boolean") throw new FormatError(file, "tie_word_embeddings", "expected true or false");
  if (c.tie_word_embeddings && c.n_embd !== c.hidden_size) {
    throw new FormatError(file, "tie_word_embeddings", `tied embeddings need n_embd (${c.n_embd}) = hidden_size (${c.hidden_size})`);
  }
}

/** The config as config.json fields. */
export function recurrentConfigToJSON(c: RecurrentLMConfig): Record<string, unknown> {
  return { model_type: RNNLM_MODEL_TYPE, ...c };
}

/** Reads config.json fields (defaults filled in, values checked) into a config. */
export function recurrentConfigFromJSON(raw: Record<string, unknown>, file: string): RecurrentLMConfig {
  const c = { ...defaultRecurrentLMConfig } as unknown as Record<string, unknown>;
  for (const key of Object.keys(defaultRecurrentLMConfig)) if (key in raw) c[key] = raw[key];
  const typed = c as unknown as RecurrentLMConfig;
  validateRecurrentLMConfig(typed, file);
  return typed;
}
