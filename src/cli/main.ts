#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * Entry point of the `loom` binary. The shebang caps V8's young generation at 2 MiB per semi-space
 * (Node's default grows it to 16): loom's steady work is in typed arrays outside the JS heap, and a
 * training step's few JS objects live for the whole step anyway, so the larger young generation only
 * sat resident — ~15 MiB of a TINY training process's peak RSS. The flag must be given at start-up (V8
 * sizes the heap then); `npm start` and the bench that trains in its own process pass the same.
 */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
