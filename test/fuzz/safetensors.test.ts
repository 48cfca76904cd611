/**
 * Fuzzing the safetensors loader (issue 17, must-show 3): byte mutations of a valid file and headers
 * with one field replaced by arbitrary JSON give a FormatError or a valid load, never an internal
 * error, a crash, a hang or a memory bomb. The properties are in properties/safetensors.ts; each runs
 * in a child process with time and memory limits (isolated.ts).
 */
import { test } from "node:test";
import { runIsolated } from "./isolated.js";
import { unmutated } from "./properties/safetensors.js";

test("the unmutated file loads", () => unmutated());
test("byte mutations: a FormatError or a valid load", () => runIsolated("safetensors", "byteMutations"));
test("structured mutations: one header field replaced by arbitrary JSON", () => runIsolated("safetensors", "structuredMutations"));
