/**
 * Reading a run's training data with the checks a user needs before anything is written: named errors
 * for a missing, unreadable or empty corpus, and a warning naming the file and byte offset where input
 * is not UTF-8 text (binary data would otherwise train silently on U+FFFD).
 */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { asFileError } from "../io/atomic.js";
import { NAMED_CORPORA, readCorpus, type Document } from "../data/corpus.js";
import { ValueError } from "../errors.js";
import { readChatDocuments } from "./chat-data.js";

/**
 * The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** A warning for `file` if its bytes are not UTF-8 text, else undefined. */
export function textWarning(file: string, bytes: Uint8Array): string | undefined {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    return `warning: ${file} is not valid UTF-8 text at byte ${bad} (0x${(bytes[bad] as number).toString(16).padStart(2, "0")}); such bytes are read as U+FFFD — is it a binary file or another encoding?`;
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `warning: ${file} has a NUL byte at byte ${nul}: is it a binary file?`;
  return undefined;
}

/** The files readCorpus reads for `path` (a file, or the .txt files of a folder, recursively). */
function corpusFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (lstatSync(full).isDirectory()) out.push(...corpusFiles(full));
    else if (name.endsWith(".txt")) out.push(full);
  }
  return out;
}

/** Reads the documents of `data` ("sotu", a text file or folder, or chat .jsonl), warning on non-text input. */
export function readTrainingDocuments(data: string, chat: boolean, warn: (line: string) => void): Document[] {
  let docs: Document[];
  try {
    if (!NAMED_CORPORA.includes(data)) {
      for (const file of chat ? [data] : corpusFiles(data)) {
        const w = textWarning(file, readFileSync(file));
        if (w) warn(w);
      }
    }
    docs = chat ? readChatDocuments(data) : readCorpus(data);
  } catch (e) {
    throw asFileError(e, data, "read the training data");
  }
  const chars = docs.reduce((n, d) => n + d.text.length, 0);
  if (chars < 2) {
    throw new ValueError(
      `${data}: the corpus ${chars === 0 ? "is empty" : "has only one character"}; training needs text to learn from and to hold out for validation`,
    );
  }
  return docs;
}
