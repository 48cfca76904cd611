import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labelCounts, parseCsvRecords, parseLabelledCsv, parseLabelledJsonl, readLabelledFile, stratifiedSplit, type LabelledText } from "../../src/data/labelled-text.js";
import { FormatError } from "../../src/errors.js";
import { Generator } from "../../src/tensor/rng.js";

test("jsonl: string labels become class ids in sorted order; integer labels 0…k−1 keep theirs", () => {
  const a = parseLabelledJsonl('{"text":"buy now","label":"spam"}\n\n{"text":"hi mum","label":"ham"}\n', "a.jsonl");
  assert.deepEqual(a.labels, ["ham", "spam"]);
  assert.deepEqual(a.examples, [{ text: "buy now", label: 1 }, { text: "hi mum", label: 0 }]);
  const b = parseLabelledJsonl('{"text":"x","label":2}\n{"text":"y","label":0}\n{"text":"z","label":1}\n{"text":"w","label":10}', "b.jsonl");
  // 10 is not below the number of classes (4), so all are names, sorted as strings.
  assert.deepEqual(b.labels, ["0", "1", "10", "2"]);
  const c = parseLabelledJsonl('{"text":"x","label":1}\n{"text":"y","label":0}', "c.jsonl");
  assert.deepEqual(c.labels, ["0", "1"]);
  assert.deepEqual(c.examples.map((e) => e.label), [1, 0]);
});

test("jsonl mistakes are FormatErrors naming the file and the line", () => {
  const cases: [string, RegExp][] = [
    ['{"text":"x","label":"a"}\n{oops', /f\.jsonl: line 2: invalid JSON/],
    ['{"label":"a"}', /line 1\.text: expected a string/],
    ['{"text":"x","label":null}', /line 1\.label: expected a string or an integer label/],
    ['{"text":"x","label":"a"}\n{"text":"y","label":"a"}', /at least 2 classes/],
    ["[1]", /line 1: expected an object/],
    ["", /no examples/],
  ];
  for (const [content, pattern] of cases) assert.throws(() => parseLabelledJsonl(content, "f.jsonl"), (e: unknown) => e instanceof FormatError && pattern.test(e.message), content);
});

test("csv: RFC 4180 quoting (commas, newlines, doubled quotes), CRLF, a byte-order mark, extra columns", () => {
  assert.deepEqual(parseCsvRecords('a,"b,c","d ""e""\nf"\r\ng,,\n', "f.csv"), [["a", "b,c", 'd "e"\nf'], ["g", "", ""]]);
  const d = parseLabelledCsv('\ufeffid,Label,text\n1,spam,"WIN, now!\nclick"\n2,ham,see you\n', "f.csv");
  assert.deepEqual(d.labels, ["ham", "spam"]);
  assert.deepEqual(d.examples, [{ text: "WIN, now!\nclick", label: 1 }, { text: "see you", label: 0 }]);
  assert.throws(() => parseLabelledCsv("text,label\n\"open,a\n", "f.csv"), /f\.csv: line 2: a quoted field is never closed/);
  assert.throws(() => parseLabelledCsv("body,class\nx,a\n", "f.csv"), /header: expected columns named text and label/);
  assert.throws(() => parseLabelledCsv("text,label\nx,a,extra\n", "f.csv"), /record 2: 3 fields, the header has 2/);
  assert.throws(() => parseLabelledCsv("text,label\nx,\n", "f.csv"), /record 2\.label: empty label/);
});

test("readLabelledFile picks the format by extension and refuses others by name", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-labelled-"));
  writeFileSync(join(dir, "d.csv"), "text,label\na,x\nb,y\n");
  writeFileSync(join(dir, "d.jsonl"), '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n');
  assert.deepEqual(readLabelledFile(join(dir, "d.csv")), readLabelledFile(join(dir, "d.jsonl")));
  assert.throws(() => readLabelledFile(join(dir, "d.txt")), /d\.txt: expected a \.jsonl file/);
});

test("stratifiedSplit: each class split in the same proportion, disjoint and complete, fixed by the seed", () => {
  const examples: (LabelledText & { id: number })[] = Array.from({ length: 300 }, (_, i) => ({ text: `t${i}`, label: i % 3 === 0 ? 1 : 0, id: i }));
  const a = stratifiedSplit(examples, 0.1, new Generator(5));
  assert.deepEqual(labelCounts(a.held, 2), [20, 10]);
  assert.deepEqual(labelCounts(a.kept, 2), [180, 90]);
  assert.deepEqual([...a.kept, ...a.held].map((e) => e.id).sort((x, y) => x - y), examples.map((e) => e.id));
  // Both parts keep the input order.
  for (const part of [a.kept, a.held]) for (let i = 1; i < part.length; i++) assert.ok(part[i]!.id > part[i - 1]!.id);
  assert.deepEqual(stratifiedSplit(examples, 0.1, new Generator(5)), a);
  assert.notDeepEqual(stratifiedSplit(examples, 0.1, new Generator(6)).held, a.held);
  // A class of one example stays whole in `kept`; a class of two gives one.
  const small = stratifiedSplit([{ text: "a", label: 0 }, { text: "b", label: 1 }, { text: "c", label: 1 }], 0.1, new Generator(0));
  assert.deepEqual(labelCounts(small.held, 2), [0, 1]);
  assert.throws(() => stratifiedSplit(examples, 1, new Generator(0)), /fraction must be in \(0, 1\)/);
});
