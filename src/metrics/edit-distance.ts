/**
 * Levenshtein distance between two sequences: the fewest insertions, deletions and substitutions (each
 * costing 1) that turn one into the other (Levenshtein 1966), by the Wagner–Fischer recurrence
 *   D[i][j] = min(D[i−1][j] + 1, D[i][j−1] + 1, D[i−1][j−1] + [a_i ≠ b_j]),  D[i][0] = i, D[0][j] = j,
 * kept one row at a time (O(|a|·|b|) time, O(|b|) memory).
 */

/** The edit distance between `a` and `b` (strings compare by UTF-16 code unit; arrays by `===`). */
export function editDistance<T>(a: readonly T[] | string, b: readonly T[] | string): number {
  const n = b.length;
  let previous = Array.from({ length: n + 1 }, (_, j) => j); // D[0][·]
  let current = new Array<number>(n + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= n; j++) {
      const substitute = (previous[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitute);
    }
    [previous, current] = [current, previous];
  }
  return previous[n] as number;
}
