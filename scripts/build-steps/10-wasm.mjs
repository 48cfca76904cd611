#!/usr/bin/env node
// Build step: compiles the AssemblyScript kernels (src/backend/wasm/assembly/) to two WebAssembly
// modules in build/ — one using relaxed SIMD (fused multiply-add), one using plain 128-bit SIMD for
// engines without relaxed SIMD. src/backend/wasm/loader.ts picks one at run time. Both import one shared
// memory (`env.memory`) so a worker_threads pool can run the same kernels over the same operands.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import asc from "assemblyscript/asc";

const root = new URL("../..", import.meta.url).pathname;
const entry = join(root, "src", "backend", "wasm", "assembly", "index.ts");
const outDir = join(root, "build");
mkdirSync(outDir, { recursive: true });

// 65536 pages = 4 GiB, the most a 32-bit memory can address; the loader may create a smaller one.
const common = [
  entry,
  "--enable", "simd", "--enable", "threads",
  "--importMemory", "--sharedMemory", "--maximumMemory", "65536", "--initialMemory", "1",
  "--runtime", "stub", "--noAssert", "-O3",
  // AS112 warns that v128 values cannot cross to JavaScript; only helpers shared between the kernel
  // files take or return v128, and none of them is an export of the entry module.
  "--disableWarning", "112",
];
const variants = [
  { file: "loom-kernels-relaxed.wasm", flags: ["--enable", "relaxed-simd"] },
  { file: "loom-kernels-simd.wasm", flags: [] },
];

for (const { file, flags } of variants) {
  const { error, stderr } = await asc.main([...common, ...flags, "--outFile", join(outDir, file)]);
  if (error) {
    console.error(stderr.toString());
    console.error(`10-wasm: compiling ${file} failed: ${error.message}`);
    process.exit(1);
  }
}
console.log(`10-wasm: built ${variants.map((v) => v.file).join(", ")} in build/`);
