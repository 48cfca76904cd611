// The `@example` snippets of the TSDoc comments in src/ run, as the README's do: each is written to a
// scratch file with `from "loom"` pointing at src/index.ts and imported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const index = new URL("src/index.ts", `file://${root}`).href;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === "assembly" ? [] : sourceFiles(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

/** The ```ts blocks after `@example` tags, with the comment's leading ` * ` removed. */
function examples(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/@example\s*\n((?:\s*\*[^\n]*\n)+?)\s*\*\s*```\s*\n/g)) {
    const body = (m[1] as string).split("\n").map((line) => line.replace(/^\s*\* ?/, ""));
    const start = body.findIndex((line) => line.startsWith("```ts"));
    if (start >= 0) found.push(body.slice(start + 1).join("\n"));
  }
  return found;
}

test("every @example in the TSDoc of src/ runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-doc-examples-"));
  let count = 0;
  for (const file of sourceFiles(join(root, "src"))) {
    for (const [i, code] of examples(readFileSync(file, "utf8")).entries()) {
      const name = `${relative(join(root, "src"), file).replace(/[/.]/g, "_")}_${i}.mts`; // .mts: an ES module, so top-level await works
      const path = join(dir, name);
      writeFileSync(path, code.replace(/from "loom"/g, `from ${JSON.stringify(index)}`));
      try {
        await import(path);
      } catch (e) {
        assert.fail(`the example ${i + 1} of ${relative(root, file)} failed: ${(e as Error).message}\n${code}`);
      }
      count++;
    }
  }
  assert.ok(count >= 10, `found ${count} examples`);
});
