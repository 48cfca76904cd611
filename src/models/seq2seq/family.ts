/** Seq2Seq's entry in the model registry (model_type "loom-seq2seq"; its own camelCase fields). */
import { FormatError } from "../../errors.js";
import { readFields } from "../config-fields.js";
import type { ModelFamily } from "../registry.js";
import { SEQ2SEQ_MODEL_TYPE, type Seq2SeqConfig, defaultSeq2SeqConfig, seq2seqConfig } from "./config.js";
import { Seq2Seq } from "./model.js";

export const seq2seqFamily: ModelFamily<Seq2Seq> = {
  modelType: SEQ2SEQ_MODEL_TYPE,
  architectures: [],
  fromConfig: (raw, file) => {
    const defaults: Seq2SeqConfig = { ...defaultSeq2SeqConfig, srcVocab: 1, tgtVocab: 1 };
    const config = readFields(raw, defaults, file, ["srcVocab", "tgtVocab"]);
    try {
      return new Seq2Seq(seq2seqConfig(config));
    } catch (e) {
      throw new FormatError(file, "(config)", (e as Error).message);
    }
  },
  toConfig: (model) => ({ model_type: SEQ2SEQ_MODEL_TYPE, ...model.config }),
};
