/**
 * A small synthetic labelled task for fine-tuning tests: filler words around one marker word, the
 * marker deciding the class ("pos" markers vs "neg" markers), at a random place, so the classifier must
 * find it anywhere in the sequence. Seeded.
 */
import { writeFileSync } from "node:fs";
import { Generator } from "../../../src/tensor/rng.js";
import type { FineTuneSettings } from "../../../src/train/classification/run.js";
import { defaultFineTuneSettings } from "../../../src/train/classification/run.js";

const FILLER = "the a of to and in is it that was for on are with as his they be at one have this from or had by word but what some we can out other were all there when up use your how said an each she".split(" ");
const MARKERS = [["delta", "echo", "foxtrot"], ["alpha", "bravo", "charlie"]] as const;

/** `n` examples { text, label } with labels "neg"/"pos", half each. */
export function syntheticExamples(n: number, seed: number): { text: string; label: string }[] {
  const rng = new Generator(seed);
  return Array.from({ length: n }, (_, i) => {
    const y = i % 2;
    const words = Array.from({ length: 5 + rng.randint(0, 6) }, () => FILLER[rng.randint(0, FILLER.length)] as string);
    const markers = MARKERS[y] as readonly string[];
    words.splice(rng.randint(0, words.length + 1), 0, markers[rng.randint(0, markers.length)] as string);
    return { text: words.join(" "), label: y === 1 ? "pos" : "neg" };
  });
}

/** Writes examples as .jsonl. */
export function writeJsonl(path: string, examples: readonly { text: string; label: string }[]): void {
  writeFileSync(path, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

/** A tiny BERT fine-tuned on `data` (one layer, width 32): seconds on any machine. */
export function tinySettings(data: string, test: string | null, out: string, epochs = 6): FineTuneSettings {
  return {
    ...defaultFineTuneSettings,
    task: null,
    data,
    test,
    tokenizer: "wordpiece:120",
    model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 },
    maxLength: 16,
    validationFraction: 0.2,
    out,
    seed: 7,
    train: { ...defaultFineTuneSettings.train, epochs, batchSize: 16, lr: 3e-3, warmupFraction: 0.1, evalBatchSize: 32 },
  };
}

/** Hooks that print nothing. */
export const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };
