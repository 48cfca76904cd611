/**
 * Corpus-level attention analysis: statistics, classes and strongest connections of every head and
 * every layer over a sample of inputs, to see how attention patterns change with depth.
 */
import { ValueError } from "../errors.js";
import { type AttentionMaps, checkSameArchitecture, sampleList } from "./attention-maps.js";
import { classifyHead, type ClassificationThresholds, DEFAULT_CLASSIFICATION_THRESHOLDS, HEAD_CLASSES, type HeadClass } from "./classify.js";
import { headSimilarityMatrix } from "./similarity.js";
import { compareConnections, type HeadStatistics, HeadStatisticsAccumulator, type KeyConnection, type StatisticsOptions, topKeyConnections } from "./statistics.js";

/** Options of {@link analyzeAttentionPatterns}. */
export interface AnalysisOptions extends StatisticsOptions {
  /** Strongest connections kept per head and per layer. Default 5. */
  readonly topK?: number;
  /** Classification thresholds; defaults {@link DEFAULT_CLASSIFICATION_THRESHOLDS}. */
  readonly thresholds?: Partial<ClassificationThresholds>;
  /**
   * Include the head-to-head Jensen–Shannon matrix. Off by default: it costs (L·H)²/2 · rows · keys
   * logarithms, about 20 s for 8 inputs of 128 tokens through a 12 × 12-head model (loaded 2-core machine).
   */
  readonly similarity?: boolean;
}

/** One head in the report. */
export interface HeadReport {
  /** Layer index. */
  readonly layer: number;
  /** Head index within the layer. */
  readonly head: number;
  /** Statistics pooled over every row of every input. */
  readonly statistics: HeadStatistics;
  /** Its class by {@link classifyHead}. */
  readonly class: HeadClass;
  /** Its `topK` strongest query → key weights over the sample. */
  readonly topConnections: readonly KeyConnection[];
}

/** The statistics of a layer: the mean over its heads of each head statistic. */
export type LayerStatistics = Omit<HeadStatistics, "dominantOffset">;

/** One layer in the report. */
export interface LayerReport {
  /** Layer index. */
  readonly layer: number;
  /** Mean over the layer's heads of each statistic (NaN heads skipped). */
  readonly statistics: LayerStatistics;
  /** How many of the layer's heads fall in each class. */
  readonly classCounts: Readonly<Record<HeadClass, number>>;
  /** The `topK` strongest weights of the layer's mean over heads, over the sample. */
  readonly topConnections: readonly KeyConnection[];
}

/** The result of {@link analyzeAttentionPatterns}. */
export interface AttentionReport {
  /** Number of layers. */
  readonly layers: number;
  /** Heads per layer. */
  readonly heads: number;
  /** Number of inputs analysed. */
  readonly inputs: number;
  /** Query rows pooled per head (rows seeing at least two keys). */
  readonly rows: number;
  /** Settings the numbers were made with. */
  readonly settings: { readonly window: number; readonly topK: number; readonly entropySmoothing: number; readonly thresholds: ClassificationThresholds };
  /** `perHead[l][h]`. */
  readonly perHead: readonly (readonly HeadReport[])[];
  /** `perLayer[l]`, in depth order. */
  readonly perLayer: readonly LayerReport[];
  /** Jensen–Shannon distance between heads, [L·H][L·H] (index l·H + h), or null when not asked for. */
  readonly similarity: readonly (readonly number[])[] | null;
}

const LAYER_FIELDS = [
  "entropy", "uniformEntropy", "normalizedEntropy", "meanDistance", "withinWindow", "self", "previous", "next",
  "first", "special", "punctuation", "delimiterOrSink", "dominantOffsetShare", "previousArgmaxShare",
] as const satisfies readonly (keyof LayerStatistics)[];

function meanOverHeadStatistics(heads: readonly HeadStatistics[]): LayerStatistics {
  const out: Record<string, number> = { rows: heads[0]?.rows ?? 0, window: heads[0]?.window ?? 0 };
  for (const field of LAYER_FIELDS) {
    let sum = 0;
    let count = 0;
    for (const s of heads) {
      if (Number.isFinite(s[field])) {
        sum += s[field];
        count++;
      }
    }
    out[field] = count > 0 ? sum / count : Number.NaN;
  }
  return out as unknown as LayerStatistics;
}

/**
 * Analyses the attention of a sample of inputs (all from the same model): per head the statistics
 * (entropy against uniform, locality, self/previous/next, special tokens, punctuation), its class and
 * strongest connections; per layer the mean over heads, the class counts and the strongest connections
 * of the head-averaged attention; and, when asked for, the head-to-head Jensen–Shannon matrix.
 * @throws ShapeError when the inputs disagree on layers or heads; ValueError for a bad option.
 */
export function analyzeAttentionPatterns(samples: AttentionMaps | readonly AttentionMaps[], options: AnalysisOptions = {}): AttentionReport {
  const list = sampleList(samples);
  const { layers, heads } = checkSameArchitecture(list, "analyzeAttentionPatterns");
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 0) throw new ValueError(`analyzeAttentionPatterns: topK must be an integer >= 0, got ${topK}`);
  const thresholds = { ...DEFAULT_CLASSIFICATION_THRESHOLDS, ...options.thresholds };
  const perHead: HeadReport[][] = [];
  const perLayer: LayerReport[] = [];
  for (let l = 0; l < layers; l++) {
    const row: HeadReport[] = [];
    for (let h = 0; h < heads; h++) {
      const acc = new HeadStatisticsAccumulator(options);
      let connections: KeyConnection[] = [];
      list.forEach((maps, input) => {
        acc.add(maps, l, h);
        connections = mergeTop(connections, topKeyConnections(maps, l, h, topK, input), topK);
      });
      const statistics = acc.result();
      row.push({ layer: l, head: h, statistics, class: classifyHead(statistics, thresholds), topConnections: connections });
    }
    perHead.push(row);
    const classCounts = Object.fromEntries(HEAD_CLASSES.map((c) => [c, row.filter((r) => r.class === c).length])) as Record<HeadClass, number>;
    let connections: KeyConnection[] = [];
    list.forEach((maps, input) => {
      connections = mergeTop(connections, topKeyConnections(maps, l, "mean", topK, input), topK);
    });
    perLayer.push({ layer: l, statistics: meanOverHeadStatistics(row.map((r) => r.statistics)), classCounts, topConnections: connections });
  }
  let similarity: number[][] | null = null;
  if (options.similarity ?? false) {
    const flat = headSimilarityMatrix(list);
    const count = layers * heads;
    similarity = Array.from({ length: count }, (_, a) => Array.from(flat.subarray(a * count, (a + 1) * count)));
  }
  return {
    layers,
    heads,
    inputs: list.length,
    rows: perHead[0]![0]!.statistics.rows,
    settings: { window: perHead[0]![0]!.statistics.window, topK, entropySmoothing: options.entropySmoothing ?? 1e-4, thresholds },
    perHead,
    perLayer,
    similarity,
  };
}

function mergeTop(a: readonly KeyConnection[], b: readonly KeyConnection[], k: number): KeyConnection[] {
  return [...a, ...b].sort(compareConnections).slice(0, k);
}

/**
 * The report as JSON text (2-space indent, newline at the end). JSON has no NaN or Infinity, so
 * statistics that no row had (NaN) are written as `null`.
 */
export function attentionReportToJson(report: AttentionReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2) + "\n";
}
