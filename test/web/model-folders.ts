// Small BERT and T5 model folders (random seeded weights, hand-made tokenizers) for the explorer tests.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BertForMaskedLM } from "../../src/models/bert/index.js";
import { savePretrained } from "../../src/models/pretrained.js";
import { T5ForConditionalGeneration } from "../../src/models/t5/index.js";
import { manualSeed } from "../../src/tensor/rng.js";

const fixtures = new URL("../fixtures/", import.meta.url).pathname;

/** A 2-layer, 2-head BERT with the bert-tiny fixture's WordPiece tokenizer (45 tokens). */
export function bertFolder(dir: string): string {
  manualSeed(21);
  const model = new BertForMaskedLM({ vocab_size: 45, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 });
  mkdirSync(dir, { recursive: true });
  savePretrained(model, dir);
  copyFileSync(join(fixtures, "tokenizers", "bert-tiny", "tokenizer.json"), join(dir, "tokenizer.json"));
  return dir;
}

/** A T5 (2 encoder, 3 decoder layers) with a word-level tokenizer of its 13 ids. */
export function t5Folder(dir: string): string {
  manualSeed(22);
  const model = new T5ForConditionalGeneration({ vocab_size: 13, d_model: 8, d_kv: 3, d_ff: 10, num_layers: 2, num_decoder_layers: 3, num_heads: 2, relative_attention_num_buckets: 8, relative_attention_max_distance: 12 });
  mkdirSync(dir, { recursive: true });
  savePretrained(model, dir);
  const words = ["<pad>", "</s>", "<unk>", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "le", "chat"];
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({
    version: "1.0", truncation: null, padding: null,
    added_tokens: words.slice(0, 3).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null, pre_tokenizer: { type: "Whitespace" }, post_processor: null, decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(words.map((w, i) => [w, i])), unk_token: "<unk>" },
  }));
  return dir;
}
