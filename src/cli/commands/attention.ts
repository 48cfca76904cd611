/**
 * `loom attention`: the attention weights a model folder's model gives one text, as a picture (SVG or
 * PNG: one head's heatmap, a layer's head view, or a grid of every layer × head) or as JSON (weights and
 * per-head statistics).
 */
import { deflateSync } from "node:zlib";
import { extname } from "node:path";
import type { Command } from "commander";
import { type AttentionStack, type AttentionStackKind, captureModelAttention } from "../../analysis/capture.js";
import { attentionGridSvg, attentionHeatmapSvg, headViewSvg } from "../../analysis/render.js";
import { attentionHeatmapImage, encodePng } from "../../analysis/png.js";
import { headStatistics } from "../../analysis/statistics.js";
import { classifyHead } from "../../analysis/classify.js";
import { openModelFolder } from "../../analysis/model-folder.js";
import { tokenLabels } from "../../analysis/token-labels.js";
import { FileError } from "../../errors.js";
import { writeFileAtomic, writeNewFile } from "../../io/atomic.js";
import { chooseBackend } from "../backend-choice.js";
import { UsageError } from "../errors.js";
import { parseNonNegativeInt } from "../options.js";
import { checkRunFolder } from "../run-folder.js";

interface AttentionFlags {
  run: string;
  text: string;
  target?: string;
  layer?: number;
  head?: number;
  stack?: string;
  out: string;
  overwrite?: boolean;
  backend?: string;
}

/**
 * Writes an output file: a new file, or with `overwrite` a replacement; an existing file without it is
 * a usage error that names the flag (nothing the user has is overwritten silently).
 */
export function writeOutput(path: string, data: string | Uint8Array, overwrite: boolean): void {
  if (overwrite) {
    writeFileAtomic(path, data);
    return;
  }
  try {
    writeNewFile(path, data);
  } catch (e) {
    if (e instanceof FileError && e.code === "EEXIST") throw new UsageError(`${path} already exists`, "give --overwrite to replace it, or another --out");
    throw e;
  }
}

/** Pixels a PNG may have at most (a 4096 × 4096 picture); larger requests get a smaller cell. */
const MAX_PNG_PIXELS = 4096 * 4096;

/** The stack `name` asks for (default: the first the model made). */
export function pickStack(stacks: readonly AttentionStack[], name: string | undefined): AttentionStack {
  const kinds = stacks.map((s) => s.kind);
  if (name === undefined) return stacks[0]!;
  const found = stacks.find((s) => s.kind === (name as AttentionStackKind));
  if (!found) throw new UsageError(`--stack ${name}: this model has no ${name} attention`, `choose one of: ${kinds.join(", ")}`);
  return found;
}

function checkIndex(value: number | undefined, count: number, flag: string): void {
  if (value !== undefined && value >= count) throw new UsageError(`${flag} ${value} is out of range: the model has ${count} (0 … ${count - 1})`);
}

/** The JSON document `--out FILE.json` writes: tokens, weights [layer][head][query][key] and per-head statistics. */
export function attentionJson(stack: AttentionStack, layer: number | undefined, head: number | undefined): Record<string, unknown> {
  const maps = stack.maps;
  const layers = layer === undefined ? [...Array(maps.layers).keys()] : [layer];
  const heads = head === undefined ? [...Array(maps.heads).keys()] : [head];
  const rows = (w: Float32Array): number[][] => Array.from({ length: maps.queries }, (_, q) => Array.from(w.subarray(q * maps.keys, (q + 1) * maps.keys), (x) => Number(x.toFixed(6))));
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    stack: stack.kind,
    causal: maps.causal,
    queryTokens: maps.queryTokens,
    keyTokens: maps.keyTokens,
    layers: layers.map((l) => ({
      layer: l,
      heads: heads.map((h) => {
        const statistics = headStatistics(maps, l, h);
        return {
          head: h,
          class: classifyHead(statistics),
          statistics: Object.fromEntries(Object.entries(statistics).map(([k, v]) => [k, finite(v as number)])),
          weights: rows(maps.weights[l]![h]!),
        };
      }),
    })),
  };
}

/** Registers `loom attention`. */
export function registerAttentionCommand(program: Command): void {
  program
    .command("attention")
    .description("draw or export the attention weights of a model folder's model on one text")
    .requiredOption("--run <dir>", "model folder (config.json, model.safetensors, tokenizer.json): a loom run, BERT or T5")
    .requiredOption("--text <text>", "the input text")
    .option("--target <text>", "T5: the decoder's input text (default: the decoder start token)")
    .option("--layer <l>", "layer (default: all)", parseNonNegativeInt)
    .option("--head <h>", "head (default: all)", parseNonNegativeInt)
    .option("--stack <kind>", "which attention: encoder, decoder or cross (default: the model's first)")
    .requiredOption("--out <file>", "output file: .svg, .png or .json")
    .option("--overwrite", "replace --out if it exists")
    .option("--backend <name>", "kernels: native (default where built), wasm or js")
    .action((flags: AttentionFlags) => {
      const format = extname(flags.out).toLowerCase();
      if (![".svg", ".png", ".json"].includes(format)) throw new UsageError(`--out ${flags.out}: unknown format "${format}"`, "name the file .svg, .png or .json");
      if (flags.head !== undefined && flags.layer === undefined && format !== ".json" && format !== ".png") {
        throw new UsageError("--head needs --layer for an SVG", "give --layer L --head H for one head's heatmap, --layer L alone for the head view");
      }
      chooseBackend(flags.backend);
      checkRunFolder(flags.run);
      const { model, tokenizer } = openModelFolder(flags.run);
      const ids = tokenizer.encodeIds(flags.text);
      if (ids.length === 0) throw new UsageError("--text encodes to no tokens", "give some text");
      const targetIds = flags.target === undefined ? undefined : tokenizer.encodeIds(flags.target);
      const stacks = captureModelAttention(model, {
        ids,
        ...(targetIds ? { targetIds } : {}),
        tokens: { source: tokenLabels(tokenizer, ids), ...(targetIds ? { target: tokenLabels(tokenizer, targetIds) } : {}) },
      });
      if (stacks.length === 0) throw new UsageError(`${flags.run}: the model made no attention calls`, "attention needs a transformer (GPT, BERT, T5), not an LSTM");
      const stack = pickStack(stacks, flags.stack);
      checkIndex(flags.layer, stack.maps.layers, "--layer");
      checkIndex(flags.head, stack.maps.heads, "--head");
      let data: string | Uint8Array;
      if (format === ".json") {
        data = JSON.stringify(attentionJson(stack, flags.layer, flags.head)) + "\n";
      } else if (format === ".svg") {
        if (flags.layer !== undefined && flags.head !== undefined) data = attentionHeatmapSvg(stack.maps, flags.layer, flags.head);
        else if (flags.layer !== undefined) data = headViewSvg(stack.maps, flags.layer);
        else data = attentionGridSvg(stack.maps);
      } else {
        const tiles = (flags.layer === undefined ? stack.maps.layers : 1) * (flags.head === undefined ? stack.maps.heads : 1);
        const perTile = stack.maps.queries * stack.maps.keys;
        const cellSize = Math.max(1, Math.min(16, Math.floor(Math.sqrt(MAX_PNG_PIXELS / (tiles * perTile)))));
        data = encodePng(attentionHeatmapImage(stack.maps, flags.layer, flags.head, { cellSize }), (b) => deflateSync(b));
      }
      writeOutput(flags.out, data, flags.overwrite ?? false);
      const what = flags.layer === undefined ? "every layer" : flags.head === undefined ? `layer ${flags.layer}` : `layer ${flags.layer}, head ${flags.head}`;
      console.log(`${stack.kind} attention (${stack.maps.layers} layers × ${stack.maps.heads} heads, ${stack.maps.queries} × ${stack.maps.keys} tokens), ${what} → ${flags.out}`);
    });
}
