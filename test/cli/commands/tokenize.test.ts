import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEncoding } from "js-tiktoken";
import { buildProgram } from "../../../src/cli/program.js";
import { formatTokens } from "../../../src/cli/commands/tokenize.js";

const root = new URL("../../../", import.meta.url).pathname;

/** Runs `loom ...` in this process, returning what it wrote to stdout. */
async function loom(args: string[]): Promise<string> {
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildProgram().exitOverride().parseAsync(["node", "loom", ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const gpt2 = getEncoding("gpt2");
const text = "Hello world<|endoftext|> and ½ 🙂";

describe("loom tokenize", () => {
  test("--json gives ids, tokens and offsets; ids as js-tiktoken, specials recognised", async () => {
    const r = JSON.parse(await loom(["tokenize", "--tokenizer", "gpt2", "--json", text])) as {
      ids: number[]; tokens: string[]; offsets: [number, number][];
    };
    assert.deepEqual(r.ids, gpt2.encode(text, "all"));
    assert.equal(r.tokens.length, r.ids.length);
    assert.equal(r.offsets.length, r.ids.length);
    assert.ok(r.ids.includes(50256));
    assert.deepEqual(r.offsets[0], [0, 5]);
  });

  test("--ordinary encodes special-token text as plain text", async () => {
    const r = JSON.parse(await loom(["tokenize", "-t", "gpt2", "--json", "--ordinary", text])) as { ids: number[] };
    assert.deepEqual(r.ids, gpt2.encode(text, [], []));
    assert.ok(!r.ids.includes(50256));
  });

  test("--file reads the file; the readable form lists id and quoted token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loom-tok-"));
    const file = join(dir, "in.txt");
    writeFileSync(file, "Hello world\n");
    const out = await loom(["tokenize", "-t", "gpt2", "--file", file]);
    assert.deepEqual(out.trimEnd().split("\n"), ["15496  \"Hello\"", "  995  \"Ġworld\"", "  198  \"Ċ\"", "3 tokens"]);
  });

  test("formatTokens pads ids and counts one token in the singular", () => {
    assert.equal(formatTokens({ ids: [7], tokens: ["a b"], offsets: [[0, 3]] }), '7  "a b"\n1 token\n');
  });

  test("reads standard input when neither TEXT nor --file is given (child process)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "tokenize", "-t", "cl100k_base", "--json"], {
      cwd: root,
      input: "tokenize me\n",
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { ids: number[] }).ids, getEncoding("cl100k_base").encode("tokenize me\n"));
  });

  test("a SentencePiece .model encodes as libsentencepiece (fixture by scripts/fixtures/tokenizer-trainers.py)", async () => {
    const fixtures = join(root, "test/fixtures/tokenizer-trainers");
    const cases = JSON.parse(readFileSync(join(fixtures, "tiny-unigram.json"), "utf8")) as { text: string; ids: number[]; pieces: string[] }[];
    for (const c of cases) {
      const r = JSON.parse(await loom(["tokenize", "-t", join(fixtures, "tiny-unigram.model"), "--json", c.text])) as {
        ids: number[]; tokens: string[];
      };
      assert.deepEqual(r.ids, c.ids, c.text);
    }
  });

  test("an unknown tokenizer is an error that names it", async () => {
    await assert.rejects(loom(["tokenize", "-t", "no-such-tokenizer", "x"]), /no-such-tokenizer/);
  });
});
