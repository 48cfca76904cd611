import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url);

test("README TypeScript snippets run", async () => {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  assert.ok(blocks.length > 0, "the README has TypeScript snippets");
  const dir = mkdtempSync(join(tmpdir(), "loom-readme-"));
  const index = new URL("src/index.ts", root).href;
  for (const [i, code] of blocks.entries()) {
    const file = join(dir, `snippet${i}.mts`); // an ES module, so top-level await works
    writeFileSync(file, code.replace(/from "loom"/g, `from ${JSON.stringify(index)}`));
    await import(file);
  }
});
