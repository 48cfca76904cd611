import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileError, writeFileAtomic } from "../../src/io/atomic.js";

test("writeFileAtomic replaces a planted link instead of writing through it", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-atomic-"));
  writeFileSync(join(dir, "outside.txt"), "precious");
  symlinkSync(join(dir, "outside.txt"), join(dir, "file.txt"));
  writeFileAtomic(join(dir, "file.txt"), "new");
  assert.equal(readFileSync(join(dir, "outside.txt"), "utf8"), "precious");
  assert.equal(readFileSync(join(dir, "file.txt"), "utf8"), "new");
});

test("writeFileAtomic onto a folder: a FileError naming the path, and no temp file left", () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-atomic-"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "keep.txt"), "x");
  assert.throws(() => writeFileAtomic(join(dir, "data"), "new"), (e: unknown) => e instanceof FileError && e.message.startsWith(`${join(dir, "data")}: cannot replace the file:`));
  assert.deepEqual(readdirSync(dir), ["data"]);
});
