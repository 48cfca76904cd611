/** Picking a corpus sample for the attention report: evenly spaced windows of a token stream. */
import { ValueError } from "../errors.js";

/**
 * `count` windows of `length` ids from `tokens`, their starts evenly spaced over the stream (start i at
 * ⌊i·(n − length)/(count − 1)⌋), so the sample covers the whole validation set and is the same on every
 * run. A stream shorter than `length` gives one window of all of it; fewer distinct starts than `count`
 * give fewer windows.
 * @throws ValueError for a count or length below 1, or an empty stream.
 */
export function evenlySpacedWindows(tokens: ArrayLike<number>, count: number, length: number): number[][] {
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`evenlySpacedWindows: count must be an integer >= 1, got ${count}`);
  if (!Number.isInteger(length) || length < 1) throw new ValueError(`evenlySpacedWindows: length must be an integer >= 1, got ${length}`);
  const n = tokens.length;
  if (n === 0) throw new ValueError("evenlySpacedWindows: the token stream is empty");
  const take = (start: number, len: number): number[] => Array.from({ length: len }, (_, i) => tokens[start + i]!);
  if (n <= length) return [take(0, n)];
  const last = n - length;
  const starts = new Set<number>();
  for (let i = 0; i < count; i++) starts.add(count === 1 ? 0 : Math.floor((i * last) / (count - 1)));
  return [...starts].map((start) => take(start, length));
}
