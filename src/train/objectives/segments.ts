/**
 * Documents as Google's `create_pretraining_data.py` wants them: one list of segments (sentences) per
 * document, each segment the token ids of one sentence. Google's input has one sentence per line and
 * blank lines between documents; loom's corpora are documents of running text, so lines are split into
 * sentences at `.`, `!` or `?` followed by space and a capital, digit or opening quote (not after a
 * single capital letter or a common title abbreviation such as "Mr.").
 */
import { ValueError } from "../../errors.js";
import type { Tokenizer } from "../../tokenizers/tokenizer.js";

/** A document's sentences as token ids (no special tokens). */
export type SegmentedDocument = Int32Array[];

const SENTENCE_END = /([.!?]["”’)\]]*)\s+(?=["“‘([]?[\p{Lu}\p{N}])/gu;
const ABBREVIATION = /(?:^|[\s(])(?:\p{Lu}|Mr|Mrs|Ms|Messrs|Dr|St|Jr|Sr|Gen|Gov|Hon|Rev|Capt|Col|Lt|Sen|Rep|No|Nos|Vol|Art|Sec|U\.S|vs|etc|i\.e|e\.g)\.$/u;

/** The sentences of a text: its non-blank lines, each cut at sentence ends (trimmed, none empty). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    let start = 0;
    SENTENCE_END.lastIndex = 0;
    for (let m = SENTENCE_END.exec(line); m !== null; m = SENTENCE_END.exec(line)) {
      const end = m.index + (m[1] as string).length;
      if (ABBREVIATION.test(line.slice(Math.max(start, end - 12), end))) continue;
      out.push(line.slice(start, end));
      start = m.index + m[0].length;
    }
    const rest = line.slice(start).trim();
    if (rest !== "") out.push(rest);
  }
  return out;
}

/**
 * Each text as a segmented document: sentences encoded without special tokens; empty sentences and
 * empty documents are dropped, as Google's script drops them. A sentence of more than
 * `maxSegmentTokens` tokens is cut into pieces of that length (the last shorter): Google's script
 * would make it a one-segment pack, which always gets a random B and so tilts NSP's 50/50.
 */
export function segmentDocuments(tokenizer: Tokenizer, texts: Iterable<string>, maxSegmentTokens = Infinity): SegmentedDocument[] {
  if (!(maxSegmentTokens >= 1)) throw new ValueError(`segmentDocuments: maxSegmentTokens must be ≥ 1, got ${maxSegmentTokens}`);
  const docs: SegmentedDocument[] = [];
  for (const text of texts) {
    const doc: SegmentedDocument = [];
    for (const sentence of splitSentences(text)) {
      const ids = Int32Array.from(tokenizer.encodeIds(sentence, { addSpecialTokens: false }));
      for (let start = 0; start < ids.length; start += maxSegmentTokens) doc.push(ids.subarray(start, Math.min(ids.length, start + maxSegmentTokens)));
    }
    if (doc.length > 0) docs.push(doc);
  }
  return docs;
}
