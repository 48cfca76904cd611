/** Stop sequences over decoded text: where the first one starts, and how much text to hold back. */

/** Index where the earliest stop sequence starts in `text` at or after `from`, or −1. */
export function findStopSequence(text: string, stops: readonly string[], from = 0): number {
  let first = -1;
  for (const s of stops) {
    if (s.length === 0) continue;
    const i = text.indexOf(s, Math.max(0, from));
    if (i >= 0 && (first < 0 || i < first)) first = i;
  }
  return first;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of some stop sequence: text a stream
 * must not emit yet, since the next tokens may complete the stop sequence.
 */
export function pendingStopPrefix(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const s of stops) {
    for (let n = Math.min(s.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(s.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}
