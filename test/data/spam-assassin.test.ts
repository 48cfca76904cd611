import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { messageBody, readSpamAssassin, spamAssassinSplit, spamLabelOfGroup } from "../../src/data/spam-assassin.js";
import { readCorpus } from "../../src/data/corpus.js";
import { FormatError } from "../../src/errors.js";

test("the fixed split: test = checksums starting 0, 1 or 2 (1,134 messages, 362 spam), train the other 4,912 (1,534 spam)", () => {
  const records = readSpamAssassin();
  assert.equal(records.length, 6046);
  const { train, test: held } = spamAssassinSplit(records);
  assert.equal(held.length, 1134);
  assert.equal(held.filter((e) => e.label === 1).length, 362);
  assert.equal(train.length, 4912);
  assert.equal(train.filter((e) => e.label === 1).length, 1534);
  // The groups behind the labels: every spam-* message is spam, every *-ham-* message ham.
  for (const e of [...train, ...held]) assert.equal(e.label, e.group.startsWith("spam-") ? 1 : 0, e.group);
  assert.deepEqual([...new Set(records.map((r) => r.group))].sort(), ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"]);
});

test("the text is the body: everything after the first blank line (the headers are left out)", () => {
  assert.equal(messageBody("From: a\nSubject: b\n\nHello\n\nworld\n"), "Hello\n\nworld\n");
  assert.equal(messageBody("no blank line here"), "no blank line here");
  const first = readSpamAssassin()[0]!;
  const { train, test: held } = spamAssassinSplit([first]);
  const body = [...train, ...held][0]!.text;
  assert.ok(first.text.endsWith(body));
  assert.ok(!/^Return-Path:/m.test(body) && /^Return-Path:/m.test(first.text));
});

test("groups: spam-* is spam, *-ham-* is ham, anything else is a FormatError naming the group", () => {
  assert.equal(spamLabelOfGroup("spam-2", "f"), 1);
  assert.equal(spamLabelOfGroup("easy-ham-1", "f"), 0);
  assert.equal(spamLabelOfGroup("hard-ham-1", "f"), 0);
  assert.throws(() => spamLabelOfGroup("ham", "f"), (e: unknown) => e instanceof FormatError && /"ham" is neither spam-\* nor \*-ham-\*/.test(e.message));
});

test("a damaged record is a FormatError naming the file and the field", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-spam-"));
  mkdirSync(join(dir, "spam-1"));
  const file = join(dir, "spam-1", "00001.json");
  writeFileSync(file, JSON.stringify({ id: "00001", group: "spam-1", checksum: { type: "MD5", value: "xyz" }, text: "a\n\nb" }));
  assert.throws(() => readSpamAssassin(dir), (e: unknown) => e instanceof FormatError && e.message.includes(file) && /checksum\.value/.test(e.message));
  writeFileSync(file, "{");
  assert.throws(() => readSpamAssassin(dir), (e: unknown) => e instanceof FormatError && /invalid JSON/.test(e.message));
  writeFileSync(file, JSON.stringify({ id: "00001", group: "spam-1", checksum: { type: "MD5", value: "0123456789abcdef0123456789abcdef" }, text: 7 }));
  assert.throws(() => readSpamAssassin(dir), (e: unknown) => e instanceof FormatError && /text: expected a string/.test(e.message));
  assert.throws(() => readSpamAssassin(join(dir, "nope")), /does not exist/);
});

test('readCorpus("spam-assassin"): the training split\'s bodies only (for pretraining), never a test message', () => {
  const docs = readCorpus("spam-assassin");
  assert.equal(docs.length, 4912);
  const { train, test: held } = spamAssassinSplit();
  assert.deepEqual(docs.map((d) => d.text), train.map((e) => e.text));
  const testNames = new Set(held.map((e) => `${e.group}/${e.id}`));
  assert.ok(docs.every((d) => !testNames.has(d.name)));
});
