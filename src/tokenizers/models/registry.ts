/** `"type"` → reader for models (BPE, WordPiece, WordLevel, Unigram); see models/index.ts. */
import { Registry } from "../registry.js";
import type { Model } from "./model.js";

/** The tokenizer.json reader of each model `"type"` (BPE, WordPiece, WordLevel, Unigram). */
export const modelRegistry = new Registry<Model>("model");
