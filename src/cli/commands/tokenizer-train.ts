/**
 * `loom tokenizer train --model bpe|wordpiece|unigram|wordlevel --vocab-size N [--special TOKEN...]
 * [--byte-level] [--min-frequency N] -o tokenizer.json FILES...`
 *
 * Builds a tokenizer with a sensible default pipeline for the model, trains it on the files (a
 * directory stands for the *.txt files in it, in name order) and writes a Hugging Face tokenizer.json.
 * Default pipelines, as HF's ready-made tokenizers:
 * - bpe: ByteLevel pre-tokenizer and decoder with --byte-level (GPT-2: no added prefix space, the
 *   full 256-byte alphabet), otherwise the Whitespace pre-tokenizer;
 * - wordpiece: BERT normalizer, BERT pre-tokenizer, WordPiece decoder, `[CLS] $A [SEP]` template;
 * - unigram: Metaspace pre-tokenizer and decoder ("▁" for spaces, as SentencePiece);
 * - wordlevel: Whitespace pre-tokenizer.
 */
import { createReadStream, statSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { ValueError } from "../../errors.js";
import { checkOutputPath, Tokenizer } from "../../tokenizers/tokenizer.js";
import type { Trainer } from "../../tokenizers/trainers/trainer.js";
import { BPE } from "../../tokenizers/models/bpe/model.js";
import { BpeTrainer, byteLevelAlphabet } from "../../tokenizers/models/bpe/trainer.js";
import { WordPiece } from "../../tokenizers/models/wordpiece/model.js";
import { WordPieceTrainer } from "../../tokenizers/models/wordpiece/trainer.js";
import { WordLevel } from "../../tokenizers/models/wordlevel/model.js";
import { WordLevelTrainer } from "../../tokenizers/models/wordlevel/trainer.js";
import { Unigram } from "../../tokenizers/models/unigram/model.js";
import { UnigramTrainer } from "../../tokenizers/models/unigram/trainer.js";
import { BertNormalizer } from "../../tokenizers/normalizers/bert.js";
import { ByteLevelPreTokenizer } from "../../tokenizers/pre_tokenizers/byte-level.js";
import { Metaspace } from "../../tokenizers/pre_tokenizers/metaspace.js";
import { BertPreTokenizer } from "../../tokenizers/pre_tokenizers/punctuation.js";
import { Whitespace } from "../../tokenizers/pre_tokenizers/whitespace.js";
import { ByteLevelDecoder } from "../../tokenizers/decoders/byte-level.js";
import { MetaspaceDecoder } from "../../tokenizers/decoders/metaspace.js";
import { WordPieceDecoder } from "../../tokenizers/decoders/wordpiece.js";
import { TemplateProcessing } from "../../tokenizers/processors/template.js";
import { listTrainingFiles, progressDisplay } from "./tokenizer-train-inputs.js";

export const tokenizerModels = ["bpe", "wordpiece", "unigram", "wordlevel"] as const;
export type TokenizerModelName = (typeof tokenizerModels)[number];

export interface TrainTokenizerOptions {
  model: TokenizerModelName;
  vocabSize: number;
  /** Special tokens; default: none for bpe, BERT's five for wordpiece, "<unk>" for unigram, "[UNK]" for wordlevel. */
  special?: string[];
  byteLevel?: boolean;
  minFrequency?: number;
}

const defaultSpecial: Record<TokenizerModelName, string[]> = {
  bpe: [],
  wordpiece: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
  unigram: ["<unk>"],
  wordlevel: ["[UNK]"],
};

/** An untrained tokenizer with the default pipeline of `options.model`, and the trainer to train it. */
export function tokenizerForTraining(options: TrainTokenizerOptions): { tokenizer: Tokenizer; trainer: Trainer } {
  const special = options.special ?? defaultSpecial[options.model];
  const { vocabSize } = options;
  const minFrequency = options.minFrequency ?? 0;
  if (options.byteLevel && options.model !== "bpe") {
    throw new ValueError(`tokenizer train: --byte-level applies to --model bpe only, not ${options.model}`);
  }
  switch (options.model) {
    case "bpe": {
      const tokenizer = new Tokenizer(new BPE(new Map(), []));
      if (options.byteLevel) {
        tokenizer.preTokenizer = new ByteLevelPreTokenizer({ addPrefixSpace: false });
        tokenizer.decoder = new ByteLevelDecoder();
      } else {
        tokenizer.preTokenizer = new Whitespace();
      }
      const trainer = new BpeTrainer({
        vocabSize,
        minFrequency,
        specialTokens: special,
        ...(options.byteLevel ? { initialAlphabet: byteLevelAlphabet() } : {}),
      });
      return { tokenizer, trainer };
    }
    case "wordpiece": {
      const unk = special.find((t) => t === "[UNK]") ?? special[0] ?? "[UNK]";
      const tokenizer = new Tokenizer(new WordPiece(new Map(), { unkToken: unk }));
      tokenizer.normalizer = new BertNormalizer();
      tokenizer.preTokenizer = new BertPreTokenizer();
      tokenizer.decoder = new WordPieceDecoder();
      return { tokenizer, trainer: new WordPieceTrainer({ vocabSize, minFrequency, specialTokens: special, unkToken: unk }) };
    }
    case "unigram": {
      const unk = special.find((t) => t === "<unk>") ?? special[0] ?? null;
      const tokenizer = new Tokenizer(new Unigram([]));
      tokenizer.preTokenizer = new Metaspace();
      tokenizer.decoder = new MetaspaceDecoder();
      return { tokenizer, trainer: new UnigramTrainer({ vocabSize, specialTokens: special, unkToken: unk }) };
    }
    case "wordlevel": {
      const unk = special.find((t) => t === "[UNK]") ?? special[0] ?? "[UNK]";
      const tokenizer = new Tokenizer(new WordLevel(new Map(), unk));
      tokenizer.preTokenizer = new Whitespace();
      return { tokenizer, trainer: new WordLevelTrainer({ vocabSize, minFrequency, specialTokens: special, unkToken: unk }) };
    }
  }
}

/** After training: BERT's `[CLS] $A [SEP]` template for wordpiece, when both tokens are in the vocabulary. */
export function finishPipeline(tokenizer: Tokenizer, model: TokenizerModelName): void {
  if (model !== "wordpiece") return;
  const cls = tokenizer.tokenToId("[CLS]");
  const sep = tokenizer.tokenToId("[SEP]");
  if (cls === undefined || sep === undefined) return;
  tokenizer.postProcessor = new TemplateProcessing("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", [
    ["[CLS]", cls],
    ["[SEP]", sep],
  ]);
}

/**
 * Lines of a file with their endings kept ("\n", "\r\n"), as HF's `train_from_files` reads them: a
 * byte-level or Metaspace pre-tokenizer sees the newline. Reads in chunks, so long lines and large
 * files are fine.
 */
async function* linesWithEndings(file: string): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      yield text.slice(start, nl + 1);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield rest;
}

/**
 * Trains a tokenizer on files (directories expand to their *.txt files) and returns it. Reads the
 * files here rather than through `Tokenizer.train`, so that reading — usually the longer part — shows
 * as a "read" stage (bytes) before the trainer's own stages.
 */
export async function trainTokenizer(
  paths: readonly string[],
  options: TrainTokenizerOptions,
  onProgress?: Trainer["onProgress"],
): Promise<Tokenizer> {
  const files = listTrainingFiles(paths);
  const { tokenizer, trainer } = tokenizerForTraining(options);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  let done = 0;
  let reported = 0;
  // A line of the input, to check that the trained tokenizer can encode what it was trained on.
  let probe = "";
  for (const file of files) {
    for await (const line of linesWithEndings(file)) {
      if (probe === "" && line.trim() !== "") probe = line.slice(0, 1000);
      trainer.feed(tokenizer.preTokenizeForTraining(line));
      done += Buffer.byteLength(line);
      if (onProgress && done - reported > total / 200) {
        reported = done;
        onProgress({ stage: "read", done: Math.min(done, total), total });
      }
    }
  }
  onProgress?.({ stage: "read", done: total, total });
  if (onProgress) trainer.onProgress = onProgress;
  // Nothing more to feed: this trains the model and adds the special tokens.
  tokenizer.trainFromTexts([], trainer);
  finishPipeline(tokenizer, options.model);
  checkCanEncode(tokenizer, probe, options);
  return tokenizer;
}

/**
 * A vocabulary too small for the model's needs (e.g. no room for the unknown token) gives a tokenizer
 * that fails on its own training text: refuse to return it, naming the size to raise.
 */
function checkCanEncode(tokenizer: Tokenizer, probe: string, options: TrainTokenizerOptions): void {
  try {
    tokenizer.encode(probe);
  } catch (e) {
    throw new ValueError(
      `tokenizer train: with --vocab-size ${options.vocabSize} the ${options.model} tokenizer cannot encode its own training text ` +
        `(${(e as Error).message}); raise --vocab-size`,
    );
  }
}

function nonNegativeInt(name: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${value}`);
    return n;
  };
}

export function registerTokenizerCommand(program: Command): void {
  const tokenizer = program.command("tokenizer").description("train tokenizers");
  tokenizer
    .command("train")
    .description("train a tokenizer on text files and write a Hugging Face tokenizer.json")
    .argument("<files...>", "text files, or directories whose *.txt files are read in name order")
    .requiredOption("--model <model>", `bpe, wordpiece, unigram or wordlevel`, (v: string) => {
      if (!(tokenizerModels as readonly string[]).includes(v)) {
        throw new InvalidArgumentError(`expected one of ${tokenizerModels.join(", ")}`);
      }
      return v;
    })
    .requiredOption("--vocab-size <n>", "vocabulary size, special tokens included", nonNegativeInt("--vocab-size", 1))
    .option("--special <tokens...>", "special tokens, taking the first ids (follow the list with another option, not FILES)")
    .option("--byte-level", "bpe: byte-level pre-tokenizer, decoder and alphabet (GPT-2 style)")
    .option("--min-frequency <n>", "bpe/wordpiece: pairs, wordlevel: words seen fewer times are left out", nonNegativeInt("--min-frequency"))
    .requiredOption("-o, --output <path>", "where to write tokenizer.json")
    .action(async (files: string[], opts: { model: TokenizerModelName; vocabSize: number; special?: string[];
      byteLevel?: boolean; minFrequency?: number; output: string }) => {
      // Refuse a path that cannot be written before training, not after it.
      checkOutputPath(opts.output, "tokenizer train");
      const display = progressDisplay();
      const started = performance.now();
      let trained: Tokenizer;
      try {
        trained = await trainTokenizer(files, opts, (p) => display.update(p));
      } finally {
        display.stop();
      }
      trained.save(opts.output);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`wrote ${opts.output}: ${opts.model}, ${trained.getVocabSize()} tokens, trained in ${seconds} s\n`);
    });
}
