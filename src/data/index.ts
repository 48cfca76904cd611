export { readCorpus, splitDocuments, bundledCorpusDir, type Document, type CorpusSplit } from "./corpus.js";
export { sampleBatch, evaluationBatches, type TokenBatch, type RandomSource } from "./batches.js";
