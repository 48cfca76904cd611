/**
 * Data: text corpora (the bundled State of the Union addresses, or your own files), the split into
 * training and validation documents, and batching — random blocks for language-model training, fixed
 * evaluation blocks, and a PyTorch-style `Dataset`/`DataLoader`. Independent of tensors.
 */
export { readCorpus, splitDocuments, bundledCorpusDir, NAMED_CORPORA, SPAM_ASSASSIN_CORPUS, type Document, type CorpusSplit } from "./corpus.js";
export { sampleBatch, evaluationBatches, type TokenBatch, type RandomSource } from "./batches.js";
export {
  ArrayDataset, TokenBlockDataset, DataLoader, collateTokenBlocks,
  type Dataset, type TokenBlock, type DataLoaderOptions,
} from "./loader.js";
export {
  readLabelledFile, parseLabelledJsonl, parseLabelledCsv, parseCsvRecords, stratifiedSplit, labelCounts, MAX_LABELS,
  type LabelledText, type LabelledDataset,
} from "./labelled-text.js";
export {
  readSpamAssassin, spamAssassinSplit, spamAssassinDataDir, messageBody, spamLabelOfGroup, SPAM_ASSASSIN_LABELS, SPAM_ASSASSIN_TEST_PREFIXES,
  type SpamAssassinRecord, type SpamAssassinExample,
} from "./spam-assassin.js";
export {
  readCmudict, parseCmudict, splitCmudict, bundledCmudictPath, CMUDICT_PHONEMES,
  type PronunciationEntry, type CmudictSplit,
} from "./cmudict.js";
