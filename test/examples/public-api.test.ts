// The examples are written as an app would write them: they import loom by its package name (and
// Node's own modules), never a file inside src/, so any of them can be pasted into a project.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const dir = new URL("../../examples/", import.meta.url);

test("every example imports only \"loom\" and node: modules", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.length >= 7, `found ${files.length} examples`);
  for (const file of files) {
    const source = readFileSync(new URL(file, dir), "utf8");
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^"'`;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1] as string);
    const dynamic = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string);
    assert.ok(specifiers.includes("loom"), `${file} does not import "loom"`);
    for (const s of [...specifiers, ...dynamic]) assert.ok(s === "loom" || s.startsWith("node:"), `${file} imports ${s}`);
  }
});
