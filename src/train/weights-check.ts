/**
 * Weights must be finite: a checkpoint holding NaN or ±Inf (a diverged run saved by another tool, or a
 * damaged file) would make `eval` print loss NaN and exit 0. Loading names the tensors instead.
 */
import { FormatError } from "../errors.js";
import type { SafetensorsEntry } from "../io/safetensors.js";

/** Throws a FormatError naming every tensor of `tensors` that holds NaN or ±Inf (and how many). */
export function checkFiniteWeights(file: string, tensors: ReadonlyMap<string, SafetensorsEntry>): void {
  const bad: string[] = [];
  for (const [name, entry] of tensors) {
    const data = entry.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) continue;
    let count = 0;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i] as number)) count++;
    if (count > 0) bad.push(`${name} (${count} of ${data.length})`);
  }
  if (bad.length > 0) {
    const shown = bad.length > 5 ? [...bad.slice(0, 5), `… ${bad.length - 5} more`] : bad;
    throw new FormatError(file, "(tensors)", `non-finite weights (NaN or Inf) in ${shown.join(", ")}: the model diverged or the file is damaged`);
  }
}
