/**
 * Fuzz properties of the model config loader as the CLI runs it (`modelFromConfig(dir)`, which `loom
 * generate`, `eval` and `chat` reach through loadLanguageModel), run by test/fuzz/config.test.ts: byte
 * mutations of a tiny GPT run's config.json, and the config with one field replaced by an odd JSON
 * value, give a FormatError (or another named error) or a model, never an internal error. Seeded, a
 * few hundred cases each.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { configToJSON, gptConfig } from "../../../src/models/gpt/config.js";
import { modelFromConfig, type LanguageModel } from "../../../src/train/checkpoint.js";
import { expectNamedErrorOrValid, mutate, mutationsArbitrary } from "./mutations.js";

const dir = mkdtempSync(join(tmpdir(), "loom-fuzz-config-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const tiny = gptConfig({ vocab_size: 40, n_positions: 16, n_embd: 8, n_layer: 2, n_head: 2 });
const validText = JSON.stringify(configToJSON(tiny), null, 2) + "\n";
const valid = Buffer.from(validText, "utf8");

/**
 * A model the loader built must have sane sizes: every parameter finite-sized, and at most 2^26
 * parameters in all (a single mutated byte turns 40 into 940 or 8 into 98, never into billions).
 */
function checkModel(model: LanguageModel): void {
  let parameters = 0;
  for (const p of model.parameters()) {
    assert.ok(p.shape.every((d) => Number.isInteger(d) && d >= 0), `shape [${p.shape.join(",")}]`);
    parameters += p.size;
  }
  assert.ok(parameters > 0 && parameters <= 2 ** 26, `${parameters} parameters`);
}

function load(bytes: Uint8Array): LanguageModel {
  writeFileSync(join(dir, "config.json"), bytes);
  return modelFromConfig(dir);
}

/** The unmutated config loads. */
export function unmutated(): void {
  checkModel(load(valid));
}

/** Byte mutations of config.json: a named error or a model. */
export function byteMutations(): void {
  fc.assert(
    fc.property(mutationsArbitrary(3), (mutations) => {
      expectNamedErrorOrValid(() => load(mutate(valid, mutations)), checkModel);
    }),
    { seed: 17_7, numRuns: 300 },
  );
}

/** One field replaced by an odd JSON value: a named error or a model. */
export function fieldReplacements(): void {
  const fields = Object.keys(configToJSON(tiny));
  const odd = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(0, -1, 0.5, 1e-300, 3, 4, 7, "8", null, true, "toString", "__proto__", "gelu_new", "swiglu", "rope", "alibi", "sinusoidal", "none", "rmsnorm", "post"),
  );
  fc.assert(
    fc.property(fc.constantFrom(...fields, "__proto__", "constructor"), odd, (field, value) => {
      const json = JSON.parse(validText) as Record<string, unknown>;
      Object.defineProperty(json, field, { value, enumerable: true, writable: true, configurable: true });
      expectNamedErrorOrValid(() => load(Buffer.from(JSON.stringify(json), "utf8")), checkModel);
    }),
    { seed: 17_77, numRuns: 300 },
  );
}

/** A config.json that is not a JSON object is a FormatError naming the file. */
export function notAnObject(): void {
  for (const text of ["null", "[]", "3", '"gpt2"', "", "{", "\u0000"]) {
    assert.throws(() => load(Buffer.from(text, "utf8")), { name: "FormatError", message: /config\.json: / }, JSON.stringify(text));
  }
}
