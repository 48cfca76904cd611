/**
 * A coarse head taxonomy from the statistics, with fixed, documented thresholds. Tests are taken in
 * order and the first that holds names the head:
 *
 * 1. `previous-token`: the previous position is the arg-max key in ≥ `positionalShare` (90%) of rows.
 * 2. `positional`: some other fixed offset (self, next, two back …) is the arg-max in ≥ 90% of rows.
 *    Both follow Voita et al. 2019 ("Analyzing Multi-Head Self-Attention", §4.2), who call a head
 *    positional when one relative position is its arg-max at least 90% of the time.
 * 3. `delimiter/sink`: the head puts ≥ `delimiterShare` (50%) of its attention, on average, on the first
 *    token, special tokens and punctuation together. Clark et al. 2019 (§3.2) find BERT heads spending
 *    over half their attention on [SEP]; Xiao et al. 2023 call the first token an attention sink.
 * 4. `broad`: normalised entropy H / log n ≥ `broadEntropy` (0.8), attention spread over most visible
 *    keys (the broad heads of Clark et al. 2019 §3.3). This threshold is loom's choice.
 * 5. `other`: none of the above (content-based or mixed heads).
 */
import { ValueError } from "../errors.js";
import type { HeadStatistics } from "./statistics.js";

/** The classes {@link classifyHead} assigns. */
export type HeadClass = "previous-token" | "positional" | "delimiter/sink" | "broad" | "other";

/** Every head class, in the order the tests are taken. */
export const HEAD_CLASSES: readonly HeadClass[] = ["previous-token", "positional", "delimiter/sink", "broad", "other"];

/** Thresholds of the classification; see the module comment for their sources. */
export interface ClassificationThresholds {
  /** Share of rows whose arg-max is one relative offset, for `previous-token` and `positional`. Default 0.9. */
  readonly positionalShare: number;
  /** Mean attention on first/special/punctuation keys for `delimiter/sink`. Default 0.5. */
  readonly delimiterShare: number;
  /** Normalised entropy for `broad`. Default 0.8. */
  readonly broadEntropy: number;
}

/** Default thresholds: 0.9 (Voita et al. 2019), 0.5 (Clark et al. 2019), 0.8 (loom). */
export const DEFAULT_CLASSIFICATION_THRESHOLDS: ClassificationThresholds = {
  positionalShare: 0.9,
  delimiterShare: 0.5,
  broadEntropy: 0.8,
};

/**
 * The class of a head from its statistics. A head with no rows (every row saw one key) is `other`.
 * @throws ValueError for a threshold outside [0, 1].
 */
export function classifyHead(stats: HeadStatistics, thresholds: Partial<ClassificationThresholds> = {}): HeadClass {
  const t = { ...DEFAULT_CLASSIFICATION_THRESHOLDS, ...thresholds };
  for (const [name, value] of Object.entries(t)) {
    if (!(value >= 0 && value <= 1)) throw new ValueError(`classifyHead: threshold ${name} must be in [0, 1], got ${value}`);
  }
  if (stats.rows === 0) return "other";
  if (stats.previousArgmaxShare >= t.positionalShare) return "previous-token";
  if (stats.dominantOffsetShare >= t.positionalShare) return "positional";
  if (stats.delimiterOrSink >= t.delimiterShare) return "delimiter/sink";
  if (stats.normalizedEntropy >= t.broadEntropy) return "broad";
  return "other";
}
