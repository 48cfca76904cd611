/**
 * Fuzzing the tokenizer loaders: any mutation of a valid tokenizer.json (bytes, or a JSON value
 * replaced anywhere in its tree) or of a valid SentencePiece `.model` either loads — and then encodes
 * and decodes text without an internal error — or fails with one of loom's named errors. Never a
 * TypeError, RangeError, SyntaxError or other internal error, and never a hang (the whole suite runs
 * under a time limit), and the process's peak memory stays bounded (checked last: node --test runs each
 * file in its own process, so the peak covers every case above). Seeded, so a failure reproduces.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resourceUsage } from "node:process";
import { join } from "node:path";
import fc from "fast-check";
import { LoomError } from "../../src/errors.js";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { parseModelProto } from "../../src/tokenizers/sentencepiece/model-proto.js";
import { sentencePieceToTokenizerJSON } from "../../src/tokenizers/sentencepiece/convert.js";
import { modelBytes } from "./sentencepiece/helpers.js";

const FIXTURES = join(process.cwd(), "test/fixtures");
const JSON_FILES = ["tokenizers/bert-tiny/tokenizer.json", "tokenizers/wordpiece-hf/tokenizer.json"].map((f) => readFileSync(join(FIXTURES, f)));
const SAMPLE = "Hello, world! The quick brown fox — café 中文 😀 <s> [CLS] 1️⃣";
const LIMIT_MS = 600_000;

/** Loads, then exercises, a tokenizer; returns normally or throws whatever went wrong. */
function exercise(load: () => Tokenizer): void {
  const t = load();
  const e = t.encode(SAMPLE);
  t.decode(e.ids);
  t.encodeIds(SAMPLE);
  t.toString();
}

/** Passes when `f` succeeds or throws a LoomError; fails the property on any other error. */
function namedOrFine(f: () => void, what: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LoomError)) {
      assert.fail(`${what}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}\n${e instanceof Error ? e.stack : ""}`);
    }
  }
}

type Mutation = { kind: "set"; at: number; byte: number } | { kind: "insert"; at: number; byte: number } | { kind: "delete"; at: number } | { kind: "truncate"; at: number };

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === "set") out[at] = m.byte;
    else if (m.kind === "insert") out.splice(at, 0, m.byte);
    else if (m.kind === "delete") out.splice(at, 1);
    else out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

test("tokenizer.json: byte mutations give a named error or a working tokenizer", { timeout: LIMIT_MS }, () => {
  fc.assert(
    fc.property(fc.nat({ max: JSON_FILES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (file, mutations) => {
      const text = Buffer.from(mutate(JSON_FILES[file]!, mutations)).toString("utf8");
      namedOrFine(() => exercise(() => Tokenizer.fromString(text, "fuzzed.json")), JSON.stringify(mutations));
    }),
    { seed: 1717, numRuns: 600 },
  );
});

/** Every path (keys and indices) of a JSON tree, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i): [number, unknown] => [i, v])
    : value !== null && typeof value === "object" ? Object.entries(value) : [];
  for (const [key, child] of children) {
    out.push([...prefix, key]);
    paths(child, [...prefix, key], out);
  }
  return out;
}

test("tokenizer.json: any value of the tree replaced by any JSON value gives a named error or a working tokenizer", { timeout: LIMIT_MS }, () => {
  const trees = JSON_FILES.map((b) => JSON.parse(b.toString("utf8")) as unknown);
  const allPaths = trees.map((t) => paths(t));
  const replacement = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(-1, 0, 1, 1e300, -0.5, 2 ** 31, "", "constructor", "__proto__", null, [], {}, ["a", "b"], { type: "constructor" }),
  );
  fc.assert(
    fc.property(fc.nat({ max: trees.length - 1 }), fc.nat(), replacement, (file, pick, value) => {
      const tree = structuredClone(trees[file]) as Record<string | number, unknown>;
      const path = allPaths[file]![pick % allPaths[file]!.length]!;
      let node: Record<string | number, unknown> = tree;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]!] = value;
      namedOrFine(() => exercise(() => Tokenizer.fromJSON(tree, "fuzzed.json")), `${path.join(".")} = ${JSON.stringify(value)}`);
    }),
    { seed: 1718, numRuns: 1500 },
  );
});

test("SentencePiece .model: byte mutations give a named error or a working tokenizer", { timeout: LIMIT_MS }, () => {
  const models = [readFileSync(join(FIXTURES, "tokenizer-trainers/tiny-unigram.model")), Buffer.from(modelBytes("bpe"))];
  fc.assert(
    fc.property(fc.nat({ max: models.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (file, mutations) => {
      const bytes = mutate(models[file]!, mutations);
      namedOrFine(
        () => exercise(() => Tokenizer.fromJSON(sentencePieceToTokenizerJSON(parseModelProto(bytes, "fuzzed.model"), "fuzzed.model"), "fuzzed.model")),
        JSON.stringify(mutations),
      );
    }),
    { seed: 1719, numRuns: 400 },
  );
});

/** Peak resident memory allowed to this fuzz process, in MiB: a memory bomb in a loader passes it by far. */
const MEMORY_LIMIT_MIB = 512;

test("the fuzzed loaders stayed within the memory bound", () => {
  const peakMiB = resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  assert.ok(peakMiB <= MEMORY_LIMIT_MIB, `peak memory ${peakMiB.toFixed(0)} MiB is over ${MEMORY_LIMIT_MIB} MiB`);
});
