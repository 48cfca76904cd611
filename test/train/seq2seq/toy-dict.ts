/**
 * A toy pronouncing dictionary in CMUdict's format for the seq2seq tests: random words of 2–6 letters
 * from a small alphabet, each letter spoken as one fixed phoneme (with stress digits on the vowels, and
 * every fifth word given a second variant), so a small model can learn it in a few hundred steps.
 */
import { writeFileSync } from "node:fs";
import { Generator } from "../../../src/tensor/rng.js";

const SOUND: Record<string, string> = { A: "AE1", B: "B", D: "D", E: "EH0", K: "K", O: "OW2", S: "S", T: "T" };

/** Writes `count` words to `path`; returns the words. */
export function writeToyDict(path: string, count = 400, seed = 5): string[] {
  const gen = new Generator(seed);
  const letters = Object.keys(SOUND);
  const words = new Set<string>();
  while (words.size < count) words.add(Array.from({ length: gen.randint(2, 7) }, () => letters[gen.randint(0, letters.length)] as string).join(""));
  const lines: string[] = [];
  [...words].forEach((w, i) => {
    lines.push(`${w}  ${[...w].map((c) => SOUND[c]).join(" ")}`);
    if (i % 5 === 0) lines.push(`${w}(1)  ${[...w].map((c) => SOUND[c]).join(" ")} Z`);
  });
  lines.push("A.  EY1", "AB-CD  EY1 B", "A42  EY1"); // dropped: not letters and apostrophes
  writeFileSync(path, lines.join("\n") + "\n");
  return [...words];
}

/** The phonemes (no stress) of a toy word. */
export function toyPronunciation(word: string): string[] {
  return [...word].map((c) => (SOUND[c] as string).replace(/\d$/, ""));
}
