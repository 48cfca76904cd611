import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { listTrainingFiles, progressDisplay } from "../../../src/cli/commands/tokenizer-train-inputs.js";
import { ValueError } from "../../../src/errors.js";

describe("tokenizer train inputs", () => {
  test("a directory stands for its *.txt files in name order; files pass through", () => {
    const dir = mkdtempSync(join(tmpdir(), "loom-tt-"));
    mkdirSync(join(dir, "sub"));
    for (const name of ["b.txt", "a.txt", "c.json", "sub/d.txt"]) writeFileSync(join(dir, name), "x");
    const single = join(dir, "c.json");
    assert.deepEqual(listTrainingFiles([single, dir]), [single, join(dir, "a.txt"), join(dir, "b.txt")]);
    assert.throws(() => listTrainingFiles([join(dir, "missing.txt")]), ValueError);
    assert.throws(() => listTrainingFiles([join(dir, "sub", "..", "sub", "none")]), ValueError);
  });

  test("without a terminal, progress is a line per stage and per tenth", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split("\n").filter((l) => l !== ""));
        done();
      },
    });
    const display = progressDisplay(sink as unknown as NodeJS.WriteStream);
    for (let i = 0; i <= 100; i++) display.update({ stage: "merge", done: i, total: 100 });
    display.update({ stage: "done", done: 1, total: 1 });
    display.stop();
    assert.equal(lines.length, 12);
    assert.equal(lines[0], "merge: 0/100");
    assert.equal(lines[10], "merge: 100/100");
    assert.equal(lines[11], "done: 1/1");
  });
});
