/**
 * Byte mutations for the loader fuzz tests (issue 17, must-show 3): a few random edits of a valid file
 * (overwrite, insert, delete, truncate, duplicate a span), with bytes drawn half from all 256 values and
 * half from the characters that matter to JSON and numbers, so that edits often make files that parse
 * but mean something odd (`"n_layer": 29`, `[0, 8e9]`, `"dtype": "F3"`).
 */
import fc from "fast-check";
import { LoomError } from "../../../src/errors.js";

export interface Mutation {
  kind: "set" | "insert" | "delete" | "truncate" | "duplicate";
  /** Where, as a fraction of the span it applies to (0..1). */
  at: number;
  /** The byte written (set, insert). */
  byte: number;
  /** How many bytes (delete, duplicate). */
  length: number;
  /** Stay inside the focus span (e.g. a safetensors header) rather than anywhere in the file. */
  focused: boolean;
}

const SYNTAX = [..."0123456789-+.eE{}[]\":, ntfu\\"].map((c) => c.charCodeAt(0));

const byteArbitrary = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...SYNTAX, 0x00, 0x80, 0xff));

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("set", "set", "set", "insert", "insert", "delete", "truncate", "duplicate"),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  byte: byteArbitrary,
  length: fc.integer({ min: 1, max: 16 }),
  focused: fc.boolean(),
});

/** One to `max` mutations. */
export function mutationsArbitrary(max = 4): fc.Arbitrary<Mutation[]> {
  return fc.array(mutationArbitrary, { minLength: 1, maxLength: max });
}

/** Applies the mutations in order; `focus` is the [start, end) span that focused mutations land in. */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[], focus: readonly [number, number] = [0, bytes.length]): Uint8Array {
  let out = [...bytes];
  for (const m of mutations) {
    const [start, end] = m.focused ? [Math.min(focus[0], out.length), Math.min(focus[1], out.length)] : [0, out.length];
    const at = start + Math.floor(m.at * Math.max(0, end - start));
    switch (m.kind) {
      case "set":
        if (at < out.length) out[at] = m.byte;
        break;
      case "insert":
        out.splice(at, 0, m.byte);
        break;
      case "delete":
        out.splice(at, m.length);
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
      case "duplicate":
        out.splice(at, 0, ...out.slice(at, at + m.length));
        break;
    }
  }
  return Uint8Array.from(out);
}

/**
 * Runs a loader on a mutated file: it must return (then `check` validates the result) or throw one of
 * loom's named errors. A TypeError, RangeError, SyntaxError or any other error escaping is a failure,
 * reported with the error and its stack.
 */
export function expectNamedErrorOrValid<T>(load: () => T, check: (result: T) => void): void {
  let result: T;
  try {
    result = load();
  } catch (e) {
    if (e instanceof LoomError) return;
    const error = e as Error;
    throw new Error(`an internal error escaped the loader: ${error.name}: ${error.message}\n${error.stack ?? ""}`, { cause: e });
  }
  check(result);
}
