/**
 * Fuzzing the model config loader as the CLI runs it (issue 17, must-show 3): byte mutations of a GPT
 * run's config.json and configs with one field replaced by odd JSON give a named error or a model,
 * never an internal error, a crash, a hang or a memory bomb. The properties are in
 * properties/config.ts; the fuzzed ones run in a child process with time and memory limits.
 */
import { test } from "node:test";
import { runIsolated } from "./isolated.js";
import { notAnObject, unmutated } from "./properties/config.js";

test("the unmutated config loads", () => unmutated());
test("a config.json that is not an object names the file", () => notAnObject());
test("byte mutations of config.json: a named error or a model", () => runIsolated("config", "byteMutations"));
test("one field replaced by an odd JSON value: a named error or a model", () => runIsolated("config", "fieldReplacements"));
