/**
 * `loom eval`: validation loss, perplexity and bits per byte of a run folder's model. By default it
 * scores the same blocks as `loom train`'s own evaluation (the run's validation split, its block
 * size and number of evaluation blocks, read from trainer_state.json), so the two agree.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { readCorpus, splitDocuments } from "../../data/corpus.js";
import { evaluationBatches } from "../../data/batches.js";
import { encodeDocuments, loadTokenStream } from "../../train/dataset.js";
import { evaluate } from "../../train/trainer.js";
import { latestCheckpoint } from "../../train/run-folder.js";
import { chooseBackend } from "../backend-choice.js";
import { parsePositiveInt } from "../options.js";
import { openRunFolder } from "../run-folder.js";
import { UsageError } from "../errors.js";

interface EvalFlags {
  run: string;
  data?: string;
  blocks?: number;
  batchSize: number;
  blockSize?: number;
  json?: boolean;
  backend?: string;
}

/**
 * The evaluation settings `loom train` used for this run, where the latest checkpoint's
 * trainer_state.json records them (or, in a run folder of an older loom, the top-level one).
 */
function trainingEvalSettings(dir: string): { blockSize?: number; evalBlocks?: number } {
  const checkpoint = latestCheckpoint(dir);
  const file = join(checkpoint?.dir ?? dir, "trainer_state.json");
  if (!existsSync(file)) return {};
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as { options?: { train?: { blockSize?: unknown; evalBlocks?: unknown } } };
    const t = state.options?.train;
    return {
      ...(typeof t?.blockSize === "number" ? { blockSize: t.blockSize } : {}),
      ...(typeof t?.evalBlocks === "number" ? { evalBlocks: t.evalBlocks } : {}),
    };
  } catch {
    return {};
  }
}

/** The model's context length, whichever family it is. */
function contextLength(config: object): number | undefined {
  const n = (config as { n_positions?: unknown }).n_positions;
  return typeof n === "number" ? n : undefined;
}

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("evaluate a trained model: loss, perplexity and bits per byte (by default on the blocks `loom train` scores)")
    .requiredOption("--run <dir>", "run folder")
    .option("--data <path>", "text file or folder to evaluate on (default: the run's own validation split)")
    .option("--blocks <n>", "evaluation blocks, evenly spaced over the text (default: as the run was trained, else 128)", parsePositiveInt)
    .option("--batch-size <n>", "blocks per forward pass", parsePositiveInt, 16)
    .option("--block-size <n>", "tokens per block (default: as the run was trained, else the model's context)", parsePositiveInt)
    .option("--json", "print the result as JSON")
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action((flags: EvalFlags) => {
      chooseBackend(flags.backend);
      const { model, tokenizer } = openRunFolder(flags.run);
      let stream = flags.data === undefined ? loadTokenStream(flags.run, "validation") : null;
      let source = `${flags.run} validation split`;
      if (stream === null) {
        const docs = readCorpus(flags.data);
        // A whole corpus given by path is evaluated as is; the bundled one by its validation split.
        const evalDocs = flags.data === undefined || flags.data === "sotu" ? splitDocuments(docs).validation : docs;
        stream = encodeDocuments(tokenizer, evalDocs);
        source = flags.data ?? "sotu validation split";
      }
      const trained = trainingEvalSettings(flags.run);
      const context = contextLength(model.config);
      const wanted = flags.blockSize ?? trained.blockSize ?? context ?? 128;
      const blockSize = Math.min(wanted, context ?? wanted, stream.tokens.length - 1);
      if (blockSize < 1) throw new UsageError(`${source}: ${stream.tokens.length} tokens are too few to evaluate`);
      const batches = evaluationBatches(stream.tokens, blockSize, flags.blocks ?? trained.evalBlocks ?? 128, flags.batchSize);
      const blocks = batches.reduce((n, b) => n + b.batchSize, 0);
      const scored = blocks * blockSize;
      const r = evaluate(model, batches, stream.tokens.length / stream.bytes);
      if (flags.json) {
        console.log(JSON.stringify({
          source, tokens: stream.tokens.length, bytes: stream.bytes, blocks, block_size: blockSize, tokens_scored: scored,
          loss: r.loss, perplexity: r.perplexity, bits_per_byte: r.bitsPerByte,
        }));
      } else {
        console.log(`${source}: scored ${scored} of ${stream.tokens.length} tokens (${blocks} blocks of ${blockSize}, evenly spaced)`);
        console.log(`loss ${r.loss.toFixed(4)} | perplexity ${r.perplexity.toFixed(2)} | ${r.bitsPerByte.toFixed(3)} bits/byte`);
      }
    });
}
