/**
 * Fuzzing the chat data reader (issue 17, must-show 3): byte mutations of a .jsonl file and lines with
 * one value replaced by odd JSON give a named error or documents, never an internal error, a crash, a
 * hang or a memory bomb. The properties are in properties/chat-data.ts; the fuzzed ones run in a child
 * process with time and memory limits.
 */
import { test } from "node:test";
import { runIsolated } from "./isolated.js";
import { unmutated } from "./properties/chat-data.js";

test("the unmutated file loads", () => unmutated());
test("byte mutations of a .jsonl file: a named error or documents", () => runIsolated("chat-data", "byteMutations"));
test("one value replaced by odd JSON: a named error or documents", () => runIsolated("chat-data", "valueReplacements"));
