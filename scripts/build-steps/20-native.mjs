#!/usr/bin/env node
// Build step: compiles the native kernels (src/backend/native/kernels/*.cc, C++ with x86 intrinsics
// behind Node-API) with the machine's own compiler into build/loom-native.node. Optional: where it
// cannot be built (another CPU architecture, no compiler, no Node-API headers) this step prints one
// line saying why, records the reason in build/loom-native.json and exits successfully, and the
// WebAssembly backend stays the default. Nothing is downloaded.
//
// Per-ISA sources are compiled once per instruction set with -DLOOM_ISA=<name> and that set's -m flags
// (the runtime picks one from the CPU's features); the rest is compiled for baseline x86-64.
// Environment: CXX (default g++), LOOM_NODE_HEADERS (directory holding node_api.h), LOOM_NATIVE=0 to skip,
// LOOM_NATIVE_DIR (output directory instead of build/; the loader reads the same variable).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const sourceDir = join(root, "src", "backend", "native", "kernels");
const outDir = process.env.LOOM_NATIVE_DIR || join(root, "build");
const objDir = join(outDir, `native-obj-${process.pid}`);
const target = join(outDir, "loom-native.node");
const status = join(outDir, "loom-native.json");

/** Sources compiled once for each instruction set (namespaced by LOOM_ISA), and their flags. */
const isaSources = ["gemm.cc", "rows.cc", "attention.cc", "recurrent.cc"];
const isas = {
  avx512: ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512dq", "-mfma", "-mf16c", "-mprefer-vector-width=512"],
  avx2: ["-mavx2", "-mfma", "-mf16c"],
};
/** Sources compiled once, each with its own extra flags. */
const plainSources = [
  ["module.cc", []],
  ["pool.cc", []],
  ["copy.cc", []],
  ["bf16.cc", ["-mavx512f", "-mavx512vl", "-mavx512bw", "-mavx512bf16", "-mfma"]],
  ["amx.cc", ["-mamx-tile", "-mamx-bf16"]],
  ["half.cc", isas.avx512],
];
const commonFlags = ["-std=c++17", "-O3", "-fPIC", "-fvisibility=hidden", "-fno-exceptions", "-fno-rtti", "-pthread", "-Wall", "-Wextra", "-Wno-unused-parameter"];

function skip(reason) {
  rmSync(target, { force: true });
  rmSync(objDir, { recursive: true, force: true });
  writeFileSync(status, JSON.stringify({ built: false, reason }) + "\n");
  console.log(`20-native: native kernels not built (${reason}); the WebAssembly backend is the default`);
  process.exit(0);
}

/** Runs a command, resolving to its exit status and captured output (never rejects). */
function run(cmd, args) {
  return new Promise((resolve) => {
    let output = "";
    let child;
    try {
      child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      resolve({ status: -1, output: String(e.message) });
      return;
    }
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ status: -1, output: e.code === "ENOENT" ? `${cmd}: not found` : e.message }));
    child.on("close", (code) => resolve({ status: code ?? -1, output }));
  });
}

/** The first line of compiler output worth showing (the first error, else the first line). */
function firstError(output) {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  return (lines.find((l) => /error|not found|cannot/i.test(l)) ?? lines[0] ?? "no output").trim().slice(0, 200);
}

mkdirSync(outDir, { recursive: true });
if (process.env.LOOM_NATIVE === "0") skip("LOOM_NATIVE=0");
if (process.arch !== "x64") skip(`CPU architecture ${process.arch}; the kernels are x86-64 only`);
const headerDirs = [process.env.LOOM_NODE_HEADERS, join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node"];
const headers = headerDirs.find((d) => d && existsSync(join(d, "node_api.h")));
if (!headers) skip(`no Node-API headers (node_api.h) in ${headerDirs.filter(Boolean).join(", ")}`);
const cxx = process.env.CXX || "g++";

mkdirSync(objDir, { recursive: true });
const jobs = [];
for (const file of isaSources) {
  for (const [isa, flags] of Object.entries(isas)) {
    const obj = join(objDir, `${file.replace(/\.cc$/, "")}-${isa}.o`);
    jobs.push({ obj, args: [...commonFlags, ...flags, `-DLOOM_ISA=${isa}`, `-I${headers}`, "-c", join(sourceDir, file), "-o", obj] });
  }
}
for (const [file, flags] of plainSources) {
  const obj = join(objDir, file.replace(/\.cc$/, ".o"));
  jobs.push({ obj, args: [...commonFlags, ...flags, `-I${headers}`, "-c", join(sourceDir, file), "-o", obj] });
}
// Two compiles at a time: the machines this builds on have few cores and the files are small.
const results = [];
for (let i = 0; i < jobs.length; i += 2) {
  results.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => run(cxx, j.args)))));
}
const failed = results.find((r) => r.status !== 0);
if (failed) skip(`${cxx} failed: ${firstError(failed.output)}`);
const link = await run(cxx, ["-shared", "-pthread", "-o", target, ...jobs.map((j) => j.obj)]);
if (link.status !== 0) skip(`${cxx} failed to link: ${firstError(link.output)}`);
rmSync(objDir, { recursive: true, force: true });
writeFileSync(status, JSON.stringify({ built: true, compiler: cxx }) + "\n");
console.log(`20-native: built ${target} with ${cxx}`);
