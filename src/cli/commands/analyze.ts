/**
 * `loom analyze`: an attention report over a sample of a model folder's validation set (the
 * `validation.tokens` a `loom train` run caches, or sentences of `--data`'s validation split), per head and
 * aggregated per layer, with plots: for each attention stack `report-<stack>.json`, `report-<stack>.md`,
 * `depth-<stack>.svg` (statistics against depth) and `grid-<stack>.svg` (every head on the first input).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { AttentionMaps } from "../../analysis/attention-maps.js";
import { type AttentionStackKind, captureModelAttention } from "../../analysis/capture.js";
import { attentionReportMarkdown, depthChartSvg } from "../../analysis/depth-plot.js";
import { openModelFolder } from "../../analysis/model-folder.js";
import { attentionGridSvg } from "../../analysis/render.js";
import { analyzeAttentionPatterns, attentionReportToJson } from "../../analysis/report.js";
import { evenlySpacedWindows } from "../../analysis/sample.js";
import { tokenLabels } from "../../analysis/token-labels.js";
import { readCorpus, splitDocuments } from "../../data/corpus.js";
import { loadTokenStream } from "../../train/dataset.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parsePositiveInt } from "../options.js";
import { checkRunFolder } from "../run-folder.js";
import { writeOutput } from "./attention.js";

interface AnalyzeFlags {
  run: string;
  data?: string;
  samples: number;
  length?: number;
  out?: string;
  overwrite?: boolean;
  similarity?: boolean;
  backend?: string;
}

/** The most positions the model takes: GPT's n_positions, BERT's max_position_embeddings, else unlimited. */
function maxPositions(config: object): number {
  const c = config as { n_positions?: unknown; max_position_embeddings?: unknown };
  const n = typeof c.n_positions === "number" ? c.n_positions : typeof c.max_position_embeddings === "number" ? c.max_position_embeddings : Infinity;
  return n;
}

/** Id sequences to analyse: windows of the cached validation tokens, or encoded sentences of --data's validation split. */
function sampleIds(flags: AnalyzeFlags, tokenizer: Tokenizer, length: number): { inputs: number[][]; source: string } {
  if (flags.data !== undefined) {
    if (flags.data !== "sotu" && !existsSync(flags.data)) throw new UsageError(`--data ${flags.data}: no such file or folder`, "give \"sotu\" (the bundled corpus), a .txt file or a folder of .txt files");
    // The validation split `loom train --data` makes of the same corpus: the last 10% of the documents
    // (of the text, for a single file).
    const { validation } = splitDocuments(readCorpus(flags.data));
    // Sentences (or lines) of the held-out text, each encoded on its own (BERT's [CLS] … [SEP] around each).
    const lines = validation.flatMap((d) => d.text.split(/\n+|(?<=[.!?])\s+/)).map((l) => l.trim()).filter((l) => l.length > 0);
    if (lines.length === 0) throw new UsageError(`--data ${flags.data}: the validation split has no text`);
    const picks = evenlySpacedWindows(lines.map((_, i) => i), flags.samples, 1).map(([i]) => lines[i!]!);
    const inputs = picks.map((line) => tokenizer.encodeIds(line).slice(0, length)).filter((ids) => ids.length > 1);
    return { inputs, source: `${inputs.length} sentences of the validation split of ${flags.data} (${validation.length} document${validation.length === 1 ? "" : "s"})` };
  }
  const stream = loadTokenStream(flags.run, "validation");
  if (stream === null) {
    throw new UsageError(`${flags.run} has no validation.tokens`, "give --data sotu (or a .txt file or folder): sentences of its validation split are the sample");
  }
  const inputs = evenlySpacedWindows(stream.tokens, flags.samples, length);
  return { inputs, source: `${inputs.length} windows of ${length} tokens from ${flags.run}/validation.tokens (${stream.tokens.length} tokens)` };
}

/** Registers `loom analyze`. */
export function registerAnalyzeCommand(program: Command): void {
  program
    .command("analyze")
    .description("attention report over a sample of the validation set: statistics per head and layer, head classes, plots")
    .requiredOption("--run <dir>", "model folder (a loom run, BERT or T5 folder)")
    .option("--data <corpus>", "sample sentences of this corpus' validation split, as loom train splits it: \"sotu\", a .txt file or a folder (default: the run's validation.tokens)")
    .option("--samples <n>", "inputs in the sample", parsePositiveInt, 16)
    .option("--length <n>", "tokens per input (default: 64, at most the model's positions)", parsePositiveInt)
    .option("--out <dir>", "folder for the report (default: RUN/attention-analysis)")
    .option("--overwrite", "replace report files that exist")
    .option("--similarity", "add the head-to-head Jensen–Shannon matrix to the JSON (slow for big models)")
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action((flags: AnalyzeFlags) => {
      chooseBackend(flags.backend);
      checkRunFolder(flags.run);
      const { model, tokenizer } = openModelFolder(flags.run);
      const length = Math.min(flags.length ?? 64, maxPositions(model.config));
      const { inputs, source } = sampleIds(flags, tokenizer, length);
      if (inputs.length === 0) throw new UsageError("the sample is empty", "give more --data text or a smaller --length");
      const byStack = new Map<AttentionStackKind, AttentionMaps[]>();
      for (const ids of inputs) {
        const labels = tokenLabels(tokenizer, ids);
        // T5: the decoder reads the input itself (teacher forcing on a copy), so its self- and cross-attention see real text.
        const stacks = captureModelAttention(model, { ids, targetIds: ids, tokens: { source: labels, target: labels } });
        for (const s of stacks) byStack.set(s.kind, [...(byStack.get(s.kind) ?? []), s.maps]);
      }
      if (byStack.size === 0) throw new UsageError(`${flags.run}: the model made no attention calls`, "attention needs a transformer (GPT, BERT, T5), not an LSTM");
      const out = flags.out ?? join(flags.run, "attention-analysis");
      mkdirSync(out, { recursive: true });
      const write = (name: string, data: string): void => writeOutput(join(out, name), data, flags.overwrite ?? false);
      console.log(`sample: ${source}`);
      for (const [kind, samples] of byStack) {
        const report = analyzeAttentionPatterns(samples, { similarity: flags.similarity ?? false });
        const heading = `${kind} attention of ${flags.run} (${model.modelType})`;
        write(`report-${kind}.json`, attentionReportToJson(report));
        write(`report-${kind}.md`, attentionReportMarkdown(report, heading));
        write(`depth-${kind}.svg`, depthChartSvg(report, `${kind} attention by layer (${samples.length} inputs)`));
        write(`grid-${kind}.svg`, attentionGridSvg(samples[0]!));
        console.log(`\n${kind} attention, ${report.layers} layers × ${report.heads} heads:`);
        console.log("layer  entropy/log n  E|i-j|  within±k  previous  first  classes");
        for (const layer of report.perLayer) {
          const t = layer.statistics;
          const classes = Object.entries(layer.classCounts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(", ");
          const f = (x: number, w: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-").padStart(w);
          console.log(`${String(layer.layer).padStart(5)}  ${f(t.normalizedEntropy, 13)}  ${f(t.meanDistance, 6)}  ${f(t.withinWindow, 8)}  ${f(t.previous, 8)}  ${f(t.first, 5)}  ${classes}`);
        }
      }
      console.log(`\nreport: ${out}/{${[...byStack.keys()].flatMap((k) => [`report-${k}.json`, `report-${k}.md`, `depth-${k}.svg`, `grid-${k}.svg`]).join(", ")}}`);
    });
}
