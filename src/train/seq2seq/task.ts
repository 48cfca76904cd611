/**
 * Sequence-to-sequence tasks as token lists with one or more references per example, split into train,
 * validation and test: "g2p" (CMUdict grapheme-to-phoneme: a word's letters → its phonemes, every
 * pronunciation a reference) and "p2g" (the reverse: a pronunciation → the words of that split spoken
 * that way). Both use the fixed CMUdict split (data/cmudict.ts), so no test word is ever trained on.
 */
import { type PronunciationEntry, readCmudict, splitCmudict } from "../../data/cmudict.js";
import { ValueError } from "../../errors.js";

/** The tasks `loom seq2seq train --task` knows. */
export const SEQ2SEQ_TASKS = ["g2p", "p2g"] as const;
/** A task name. */
export type Seq2SeqTaskName = (typeof SEQ2SEQ_TASKS)[number];

/** One input and every output counted as correct for it. */
export interface Seq2SeqExample {
  source: string[];
  /** One or more references; a prediction is right if it equals any of them. */
  references: string[][];
}

/** A task's three splits and how its token lists print. */
export interface Seq2SeqTaskData {
  name: Seq2SeqTaskName;
  train: Seq2SeqExample[];
  validation: Seq2SeqExample[];
  test: Seq2SeqExample[];
  /** How a source token list prints ("HELLO", or "HH AH L OW"). */
  formatSource(tokens: readonly string[]): string;
  /** How a target token list prints. */
  formatTarget(tokens: readonly string[]): string;
}

const letters = (tokens: readonly string[]): string => tokens.join("");
const phonemes = (tokens: readonly string[]): string => tokens.join(" ");

function g2pExamples(entries: readonly PronunciationEntry[]): Seq2SeqExample[] {
  return entries.map((e) => ({ source: [...e.word], references: e.pronunciations.map((p) => [...p]) }));
}

/** Per split, each distinct pronunciation with the words spoken that way (in word order). */
function p2gExamples(entries: readonly PronunciationEntry[]): Seq2SeqExample[] {
  const byPronunciation = new Map<string, Seq2SeqExample>();
  for (const e of entries) {
    for (const p of e.pronunciations) {
      const key = p.join(" ");
      const example = byPronunciation.get(key);
      if (example === undefined) byPronunciation.set(key, { source: [...p], references: [[...e.word]] });
      else example.references.push([...e.word]);
    }
  }
  return [...byPronunciation.values()];
}

/** Loads a task from the bundled CMUdict (or the dict.txt at `dataPath`). */
export function loadSeq2SeqTask(name: string, dataPath?: string): Seq2SeqTaskData {
  if (!(SEQ2SEQ_TASKS as readonly string[]).includes(name)) throw new ValueError(`seq2seq task: expected ${SEQ2SEQ_TASKS.join(" or ")}, got ${JSON.stringify(name)}`);
  const split = splitCmudict(readCmudict(dataPath));
  const make = name === "g2p" ? g2pExamples : p2gExamples;
  return {
    name: name as Seq2SeqTaskName,
    train: make(split.train),
    validation: make(split.validation),
    test: make(split.test),
    formatSource: name === "g2p" ? letters : phonemes,
    formatTarget: name === "g2p" ? phonemes : letters,
  };
}

/** The training pairs of examples: one (source, reference) pair per reference. */
export function trainingPairs(examples: readonly Seq2SeqExample[]): { source: string[]; target: string[] }[] {
  return examples.flatMap((e) => e.references.map((target) => ({ source: e.source, target })));
}
