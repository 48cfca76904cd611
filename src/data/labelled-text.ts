/**
 * Labelled texts for sequence classification: reading a `.jsonl` file (one `{"text": …, "label": …}`
 * object a line) or a `.csv` file (a header row naming `text` and `label` columns, RFC 4180 quoting),
 * the label names they use, and a seeded stratified split (each class split in the same proportion).
 * Independent of tensors: the order comes from any seeded {@link RandomSource}.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { FormatError, ValueError } from "../errors.js";
import type { RandomSource } from "./batches.js";

/** One example: a text and its class id (an index into the dataset's label names). */
export interface LabelledText {
  text: string;
  label: number;
}

/** Examples with the names of their classes (`labels[i]` names class id i), as config.json's id2label. */
export interface LabelledDataset {
  examples: LabelledText[];
  labels: string[];
}

/** Most classes a labelled file may name (a column of free text read as labels would exceed it). */
export const MAX_LABELS = 1000;

/**
 * Class names from the raw labels of a file: integers 0…k−1 keep their order (a file that already
 * holds class ids); anything else is sorted as strings (so "ham" is 0 and "spam" is 1).
 */
function labelNames(raw: readonly string[], file: string): string[] {
  const distinct = [...new Set(raw)];
  if (distinct.length < 2) throw new FormatError(file, "label", `a classifier needs at least 2 classes, the file has ${distinct.length} (${distinct.map((l) => JSON.stringify(l)).join(", ")})`);
  if (distinct.length > MAX_LABELS) throw new FormatError(file, "label", `${distinct.length} distinct labels (at most ${MAX_LABELS}): is the label column free text?`);
  const ids = distinct.map(Number);
  if (distinct.every((l) => /^\d+$/.test(l)) && ids.every((n) => n < distinct.length)) return ids.sort((a, b) => a - b).map(String);
  return distinct.sort();
}

function toDataset(rows: readonly { text: string; label: string }[], file: string): LabelledDataset {
  if (rows.length === 0) throw new FormatError(file, "(file)", "no examples");
  const labels = labelNames(rows.map((r) => r.label), file);
  const index = new Map(labels.map((l, i) => [l, i]));
  return { examples: rows.map((r) => ({ text: r.text, label: index.get(r.label) as number })), labels };
}

/** A JSON label: a string, or an integer (read as its decimal string). */
function labelString(value: unknown, file: string, field: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  throw new FormatError(file, field, `expected a string or an integer label, got ${JSON.stringify(value)}`);
}

/** Reads `.jsonl` text: one object with string `text` and a `label` per non-blank line. */
export function parseLabelledJsonl(content: string, file: string): LabelledDataset {
  const rows: { text: string; label: string }[] = [];
  content.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new FormatError(file, `line ${i + 1}`, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FormatError(file, `line ${i + 1}`, "expected an object {\"text\": …, \"label\": …}");
    const o = value as Record<string, unknown>;
    if (typeof o.text !== "string") throw new FormatError(file, `line ${i + 1}.text`, `expected a string, got ${JSON.stringify(o.text)}`);
    rows.push({ text: o.text, label: labelString(o.label, file, `line ${i + 1}.label`) });
  });
  return toDataset(rows, file);
}

/** Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, newlines and doubled quotes). */
export function parseCsvRecords(content: string, file: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const text = content.startsWith("\ufeff") ? content.slice(1) : content; // a byte-order mark is not data
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      if (!(record.length === 1 && record[0] === "")) records.push(record);
      record = [];
      field = "";
      line++;
    } else field += c;
  }
  if (quoted) throw new FormatError(file, `line ${quoteLine}`, "a quoted field is never closed");
  record.push(field);
  if (!(record.length === 1 && record[0] === "")) records.push(record);
  return records;
}

/** Reads `.csv` text whose header row names a `text` and a `label` column (other columns are ignored). */
export function parseLabelledCsv(content: string, file: string): LabelledDataset {
  const [header, ...records] = parseCsvRecords(content, file);
  if (header === undefined) throw new FormatError(file, "(file)", "empty: expected a header row with text and label columns");
  const names = header.map((h) => h.trim().toLowerCase());
  const textColumn = names.indexOf("text");
  const labelColumn = names.indexOf("label");
  if (textColumn < 0 || labelColumn < 0) {
    throw new FormatError(file, "header", `expected columns named text and label, got ${header.map((h) => JSON.stringify(h)).join(", ")}`);
  }
  const rows = records.map((r, i) => {
    if (r.length !== header.length) throw new FormatError(file, `record ${i + 2}`, `${r.length} fields, the header has ${header.length}`);
    const label = (r[labelColumn] as string).trim();
    if (label === "") throw new FormatError(file, `record ${i + 2}.label`, "empty label");
    return { text: r[textColumn] as string, label };
  });
  return toDataset(rows, file);
}

/** Reads a labelled `.jsonl` or `.csv` file (by extension). */
export function readLabelledFile(path: string): LabelledDataset {
  const ext = extname(path).toLowerCase();
  if (ext !== ".jsonl" && ext !== ".csv") throw new ValueError(`${path}: expected a .jsonl file ({"text", "label"} per line) or a .csv file with text and label columns`);
  const content = readFileSync(path, "utf8");
  return ext === ".jsonl" ? parseLabelledJsonl(content, path) : parseLabelledCsv(content, path);
}

/** Counts of each class id in `examples` (index = class id). */
export function labelCounts(examples: readonly LabelledText[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const e of examples) counts[e.label] = (counts[e.label] as number) + 1;
  return counts;
}

/**
 * Seeded stratified split: each class's examples are shuffled (Fisher–Yates with `rng`) and
 * round(fraction·n_class) of them go to `held` (at least one when the class has two or more), the
 * rest to `kept`; both keep the input order otherwise, so the split depends only on the seed.
 */
export function stratifiedSplit<T extends LabelledText>(examples: readonly T[], fraction: number, rng: RandomSource): { kept: T[]; held: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`stratifiedSplit: fraction must be in (0, 1), got ${fraction}`);
  const byClass = new Map<number, number[]>();
  examples.forEach((e, i) => {
    const list = byClass.get(e.label);
    if (list) list.push(i);
    else byClass.set(e.label, [i]);
  });
  const heldIndex = new Set<number>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(label) as number[];
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.randint(0, i + 1);
      [list[i], list[j]] = [list[j] as number, list[i] as number];
    }
    const n = list.length < 2 ? 0 : Math.min(list.length - 1, Math.max(1, Math.round(fraction * list.length)));
    for (const i of list.slice(0, n)) heldIndex.add(i);
  }
  return { kept: examples.filter((_, i) => !heldIndex.has(i)), held: examples.filter((_, i) => heldIndex.has(i)) };
}
