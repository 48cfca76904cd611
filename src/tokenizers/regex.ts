/**
 * Regular expressions written for Rust (`regex`/`fancy-regex`, used by tiktoken) or Oniguruma (used
 * by HF tokenizers), translated to JavaScript RegExp with the `u` flag. The differences that matter
 * for tokenizer patterns, and what is done about each:
 *
 * - `\s` is Unicode White_Space there; JS `\s` adds U+FEFF and lacks U+0085 → `\p{White_Space}`.
 * - `\d`, `\w` are Unicode there, ASCII in JS → `\p{Nd}`, and `\w`'s Unicode definition (UTS #18).
 * - Inline case-insensitive groups `(?i:'s|'t)` do not exist in Node 20 → each ASCII letter inside
 *   becomes `[sS]`.
 * - Possessive quantifiers `x++`, `x*+`, `x?+` do not exist in JS → the greedy form. This is exact for
 *   the tokenizer patterns (cl100k's ` ?[^\s\p{L}\p{N}]++[\r\n]*`), where what follows can never take
 *   back a character the possessive part would have kept; the tests compare with tiktoken.
 * - `\A`, `\z` → `^`, `$`; escaped punctuation that `u` mode rejects (`\'`) → the literal.
 */
import { ValueError } from "../errors.js";

/** A pattern as tokenizer.json writes it. */
export type JsonPattern = { String: string } | { Regex: string };

const WORD_CLASS = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const SYNTAX = new Set("^$\\.*+?()[]{}|/-".split(""));

/** Translates a Rust/Oniguruma regex source to a JS source for the `u` flag (see the file comment). */
export function translateRegexSource(source: string): string {
  let out = "";
  let inClass = false;
  const groupIsCaseless: boolean[] = [];
  let caseless = 0;
  let prevQuantifier = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const e = source[++i];
      if (e === undefined) throw new ValueError(`regex ${JSON.stringify(source)}: ends with a backslash`);
      prevQuantifier = false;
      if (e === "s") out += "\\p{White_Space}";
      else if (e === "S") out += "\\P{White_Space}";
      else if (e === "d") out += "\\p{Nd}";
      else if (e === "D") out += "\\P{Nd}";
      else if (e === "w") out += inClass ? WORD_CLASS : `[${WORD_CLASS}]`;
      else if (e === "W" && !inClass) out += `[^${WORD_CLASS}]`;
      else if (e === "A") out += "^";
      else if (e === "z" || e === "Z") out += "$";
      else if ((e === "p" || e === "P") && source[i + 1] !== "{") out += `\\${e}{${source[++i] ?? ""}}`;
      else if ((e === "p" || e === "P") && source[i + 1] === "{") {
        const close = source.indexOf("}", i);
        out += source.slice(i - 1, close + 1);
        i = close;
      } else if (e === "-" && !inClass) out += "-"; // `u` mode allows `\-` only inside a class
      else if (/[A-Za-z0-9]/.test(e) || SYNTAX.has(e)) out += `\\${e}`;
      else out += e; // `\'`, `\ `, … : the literal character.
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += caseless > 0 && /[A-Za-z]/.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
      continue;
    }
    if (c === "+" && prevQuantifier) {
      prevQuantifier = false; // possessive marker: dropped.
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (source[i + 1] === "^") out += source[++i];
      if (source[i + 1] === "]") out += "\\" + source[++i]; // a leading ']' is a literal
      prevQuantifier = false;
      continue;
    }
    if (c === "(") {
      if (source.startsWith("(?i:", i)) {
        groupIsCaseless.push(true);
        caseless++;
        out += "(?:";
        i += 3;
      } else {
        groupIsCaseless.push(false);
        out += c;
        if (source[i + 1] === "?") out += source[++i];
      }
      prevQuantifier = false;
      continue;
    }
    if (c === ")") {
      if (groupIsCaseless.pop()) caseless--;
      out += c;
      prevQuantifier = false;
      continue;
    }
    if (c === "{") {
      const close = source.indexOf("}", i);
      const body = close > 0 ? source.slice(i, close + 1) : "";
      if (/^\{\d*(,\d*)?\}$/.test(body)) {
        out += body;
        i = close;
        prevQuantifier = true;
      } else {
        out += "\\{";
        prevQuantifier = false;
      }
      continue;
    }
    if (c === "}" || c === "]") {
      out += "\\" + c; // literal outside a class in Oniguruma; `u` mode needs the escape
      prevQuantifier = false;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      out += c;
      if (prevQuantifier && c === "?") prevQuantifier = false; // lazy marker
      else prevQuantifier = true;
      continue;
    }
    prevQuantifier = false;
    out += caseless > 0 && /[A-Za-z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

/**
 * Refuses a repeated group whose body can match one string in many ways — a repetition or an
 * alternation inside a group under `*`, `+` or `{n,}`: `(a+)+$`, `(a|aa)*$`, `(\w+\s?)*$`. JavaScript's
 * backtracking engine (like Oniguruma) takes time exponential in the input on such patterns when a
 * match fails (41 characters of "a" then "!" take hours for `(a+)+$`); tokenizer patterns never need
 * them (GPT-2's, cl100k's, o200k's and Llama's repeat only characters and classes), so a file holding
 * one is refused by name rather than left to hang.
 */
export function checkRegexComplexity(source: string): void {
  // Per open group: whether its body holds an unbounded repetition or an alternation.
  const groups: boolean[] = [];
  let inClass = false;
  const unboundedAt = (i: number): number => {
    // Length of an unbounded quantifier at source[i] (*, +, {n,}), or 0.
    const c = source[i];
    if (c === "*" || c === "+") return 1;
    if (c === "{") {
      const m = /^\{\d*,\}/.exec(source.slice(i));
      if (m) return m[0].length;
    }
    return 0;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      if (source[i + 1] === "^") i++;
      if (source[i + 1] === "]") i++;
      continue;
    }
    if (c === "(") {
      groups.push(false);
      continue;
    }
    if (c === ")") {
      const ambiguous = groups.pop() ?? false;
      if (ambiguous && groups.length > 0) groups[groups.length - 1] = true;
      const q = unboundedAt(i + 1);
      if (q > 0) {
        if (ambiguous) {
          throw new ValueError(
            `regex ${JSON.stringify(source)}: the group ending at character ${i} repeats (${source.slice(i + 1, i + 1 + q)}) a body that itself repeats or alternates; ` +
              `a backtracking engine takes exponential time on such a pattern, so it is refused (repeat a character class instead)`,
          );
        }
        if (groups.length > 0) groups[groups.length - 1] = true;
        i += q;
      }
      continue;
    }
    if (c === "|") {
      if (groups.length > 0) groups[groups.length - 1] = true;
      continue;
    }
    const q = unboundedAt(i);
    if (q > 0) {
      if (groups.length > 0) groups[groups.length - 1] = true;
      i += q - 1;
    }
  }
}

/** Compiles a Rust/Oniguruma regex to a global, Unicode JS RegExp (refusing exponential-time patterns). */
export function compileRegex(source: string): RegExp {
  checkRegexComplexity(source);
  const translated = translateRegexSource(source);
  try {
    return new RegExp(translated, "gu");
  } catch (e) {
    throw new ValueError(`regex ${JSON.stringify(source)} (as JS: ${JSON.stringify(translated)}): ${(e as Error).message}`);
  }
}

export function patternFromJSON(p: JsonPattern): string | RegExp {
  return "String" in p ? p.String : compileRegex(p.Regex);
}

/** GPT-2's split pattern (openai/gpt-2 encoder.py; tiktoken r50k_base, p50k_base). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** cl100k_base's split pattern, as tiktoken (the npm WASM build) writes it. */
export const CL100K_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** o200k_base's split pattern, as tiktoken writes it. */
export const O200K_PATTERN = [
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
  "\\p{N}{1,3}",
  " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
  "\\s*[\\r\\n]+",
  "\\s+(?!\\S)",
  "\\s+",
].join("|");
