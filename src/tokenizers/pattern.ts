/**
 * Patterns that split a string, and how the matched delimiters are kept — HF tokenizers' `Pattern`
 * and `SplitDelimiterBehavior`.
 */

/** A literal string, a regular expression, or a per-character predicate (each matching character is one match). */
export type Pattern = string | RegExp | ((c: string) => boolean);

/**
 * What happens to a delimiter when splitting "the-final--countdown" on "-":
 * Removed: the, final, countdown · Isolated: the, -, final, -, -, countdown ·
 * MergedWithPrevious: the-, final-, -, countdown · MergedWithNext: the, -final, -, -countdown ·
 * Contiguous: the, -, final, --, countdown.
 */
export type SplitDelimiterBehavior = "Removed" | "Isolated" | "MergedWithPrevious" | "MergedWithNext" | "Contiguous";

export const SPLIT_DELIMITER_BEHAVIORS: readonly SplitDelimiterBehavior[] = [
  "Removed",
  "Isolated",
  "MergedWithPrevious",
  "MergedWithNext",
  "Contiguous",
];

/** A range of the input and whether it is a match; the ranges cover the input in order. */
export type PatternMatch = [[number, number], boolean];

/** A copy of `re` with the global flag, so `exec` walks all matches. */
function globalRegex(re: RegExp): RegExp {
  return re.global ? re : new RegExp(re.source, re.flags + "g");
}

/** Splits `inside` into consecutive ranges, marking those that match `pattern` (empty matches are skipped). */
export function findMatches(pattern: Pattern, inside: string): PatternMatch[] {
  const out: PatternMatch[] = [];
  if (inside.length === 0) return out;
  let prev = 0;
  const emit = (start: number, end: number): void => {
    if (prev < start) out.push([[prev, start], false]);
    out.push([[start, end], true]);
    prev = end;
  };
  if (typeof pattern === "string") {
    if (pattern.length > 0) {
      for (let i = inside.indexOf(pattern); i >= 0; i = inside.indexOf(pattern, i + pattern.length)) {
        emit(i, i + pattern.length);
      }
    }
  } else if (pattern instanceof RegExp) {
    const re = globalRegex(pattern);
    re.lastIndex = 0;
    for (let m = re.exec(inside); m !== null; m = re.exec(inside)) {
      const start = m.index;
      const end = start + m[0].length;
      if (end === start) {
        // Step over the empty match (a whole code point under the u/v flags).
        re.lastIndex = end + (re.unicode || re.flags.includes("v") ? charLen(inside, end) : 1);
        continue;
      }
      emit(start, end);
    }
  } else {
    for (let i = 0; i < inside.length; ) {
      const n = charLen(inside, i);
      if (pattern(n === 1 ? inside[i]! : inside.slice(i, i + n))) {
        if (prev < i) out.push([[prev, i], false]);
        out.push([[i, i + n], true]);
        prev = i + n;
      }
      i += n;
    }
  }
  if (prev < inside.length) out.push([[prev, inside.length], false]);
  return out;
}

function charLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/**
 * The ranges that splitting `text` on `pattern` keeps, with HF's delimiter behaviours (HF
 * `NormalizedString::split`); `invert` swaps matches and non-matches first.
 */
export function splitRanges(text: string, pattern: Pattern, behavior: SplitDelimiterBehavior, invert = false): [number, number][] {
  let matches = findMatches(pattern, text);
  if (invert) matches = matches.map(([r, m]) => [r, !m]);
  const pieces: [[number, number], boolean][] = [];
  switch (behavior) {
    case "Isolated":
      for (const [r] of matches) pieces.push([r, false]);
      break;
    case "Removed":
      for (const m of matches) pieces.push(m);
      break;
    case "Contiguous": {
      let previous = false;
      for (const [r, isMatch] of matches) {
        const last = pieces[pieces.length - 1];
        if (isMatch === previous && last) last[0] = [last[0][0], r[1]];
        else pieces.push([r, false]);
        previous = isMatch;
      }
      break;
    }
    case "MergedWithPrevious": {
      let previous = false;
      for (const [r, isMatch] of matches) {
        const last = pieces[pieces.length - 1];
        if (isMatch && !previous && last) last[0] = [last[0][0], r[1]];
        else pieces.push([r, false]);
        previous = isMatch;
      }
      break;
    }
    case "MergedWithNext": {
      let previous = false;
      for (let i = matches.length - 1; i >= 0; i--) {
        const [r, isMatch] = matches[i]!;
        const last = pieces[pieces.length - 1];
        if (isMatch && !previous && last) last[0] = [r[0], last[0][1]];
        else pieces.push([r, false]);
        previous = isMatch;
      }
      pieces.reverse();
      break;
    }
  }
  const out: [number, number][] = [];
  for (const [r, remove] of pieces) if (!remove) out.push(r);
  return out;
}

/** `splitRanges` as strings (empty pieces dropped), for pipelines that need no offsets. */
export function splitString(text: string, pattern: Pattern, behavior: SplitDelimiterBehavior, invert = false): string[] {
  const out: string[] = [];
  for (const [s, e] of splitRanges(text, pattern, behavior, invert)) if (e > s) out.push(text.slice(s, e));
  return out;
}
