#!/usr/bin/env -S node --max-semi-space-size=2 --no-concurrent-marking --no-incremental-marking
/**
 * Entry point of the `loom` binary. The shebang sets three V8 flags, which must be given at start-up
 * (switching marking flags in a running process crashed V8 when a collection was under way); `npm
 * start`, `npm run bench` and the bench that trains in its own process pass the same:
 *
 * - `--max-semi-space-size=2` caps the young generation at 2 MiB per semi-space (Node's default grows
 *   it to 16): loom's steady work is in typed arrays outside the JS heap, and a training step's few JS
 *   objects live for the whole step anyway, so the larger young generation only sat resident — ~15 MiB
 *   of a TINY training process's peak RSS.
 * - `--no-concurrent-marking --no-incremental-marking`: V8 marks in one pause, with its parallel
 *   markers, instead of on helper threads beside the program. A training step drops and allocates its
 *   activations as fresh typed arrays, so V8 runs a full GC about once a step; with a kernel thread on
 *   every core (the default), a concurrent marker preempts one of them part-way through a parallel job
 *   and the whole job waits for it (a TINY bf16 step's GEMMs: 36 ms with concurrent marking, 23
 *   without). In the pause the kernel threads are idle, so the markers cost them nothing. Marking on
 *   the main thread incrementally instead (`--no-concurrent-marking` alone) stretched each cycle over a
 *   whole step and doubled the dead activations held (peak RSS 221 → 447 MiB); in one pause they are
 *   freed at once. `loom train`, TINY (4 × 128, batch 16 × block 128), 2 threads on 2 cores, tokens/s
 *   (peak RSS): fp32 15,400 → 17,323 (225 → 220 MiB), bf16 18,961 → 25,427 (215 → 218 MiB); the
 *   default sotu preset 13,397 → 15,845 (243 → 227 MiB). With one kernel thread on two cores, where a
 *   concurrent marker has a core of its own, fp32 was 5% slower (13,052 → 12,442) and bf16 2% faster.
 */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
