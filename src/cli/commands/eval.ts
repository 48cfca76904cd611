/** `loom eval`: validation loss, perplexity and bits per byte of a run folder's model. */
import type { Command } from "commander";
import { readCorpus, splitDocuments } from "../../data/corpus.js";
import { evaluationBatches } from "../../data/batches.js";
import { loadLanguageModel, loadTokenizer } from "../../train/checkpoint.js";
import { encodeDocuments, loadTokenStream } from "../../train/dataset.js";
import { evaluate } from "../../train/trainer.js";
import { chooseBackend } from "../backend-choice.js";
import { parsePositiveInt } from "../options.js";

interface EvalFlags {
  run: string;
  data?: string;
  blocks: number;
  batchSize: number;
  blockSize?: number;
  json?: boolean;
  backend?: string;
}

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("evaluate a trained model: loss, perplexity and bits per byte")
    .requiredOption("--run <dir>", "run folder")
    .option("--data <path>", "text file or folder to evaluate on (default: the run's own validation split)")
    .option("--blocks <n>", "evaluation blocks (evenly spaced over the text)", parsePositiveInt, 256)
    .option("--batch-size <n>", "blocks per forward pass", parsePositiveInt, 16)
    .option("--block-size <n>", "tokens per block (default: the model's context)", parsePositiveInt)
    .option("--json", "print the result as JSON")
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action((flags: EvalFlags) => {
      chooseBackend(flags.backend);
      const { model } = loadLanguageModel(flags.run);
      const tokenizer = loadTokenizer(flags.run);
      let stream = flags.data === undefined ? loadTokenStream(flags.run, "validation") : null;
      let source = `${flags.run} validation split`;
      if (stream === null) {
        const docs = readCorpus(flags.data);
        // A whole corpus given by path is evaluated as is; the bundled one by its validation split.
        const evalDocs = flags.data === undefined || flags.data === "sotu" ? splitDocuments(docs).validation : docs;
        stream = encodeDocuments(tokenizer, evalDocs);
        source = flags.data ?? "sotu validation split";
      }
      const blockSize = Math.min(flags.blockSize ?? model.config.n_positions, model.config.n_positions, stream.tokens.length - 1);
      const batches = evaluationBatches(stream.tokens, blockSize, flags.blocks, flags.batchSize);
      const r = evaluate(model, batches, stream.tokens.length / stream.bytes);
      if (flags.json) {
        console.log(JSON.stringify({ source, tokens: stream.tokens.length, bytes: stream.bytes, loss: r.loss, perplexity: r.perplexity, bits_per_byte: r.bitsPerByte }));
      } else {
        console.log(`${source}: ${stream.tokens.length} tokens, ${stream.bytes} bytes`);
        console.log(`loss ${r.loss.toFixed(4)} | perplexity ${r.perplexity.toFixed(2)} | ${r.bitsPerByte.toFixed(3)} bits/byte`);
      }
    });
}
