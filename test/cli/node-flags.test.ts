import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);

/** The node flags the `loom` binary's shebang passes (src/cli/main.ts). */
function shebangFlags(): string[] {
  const first = readFileSync(new URL("src/cli/main.ts", root), "utf8").split("\n")[0] ?? "";
  assert.match(first, /^#!\/usr\/bin\/env -S node /);
  return first.replace(/^#!\/usr\/bin\/env -S node\s*/, "").split(/\s+/).filter((f) => f !== "");
}

test("npm start and npm run bench run node with the loom binary's flags", () => {
  const flags = shebangFlags();
  assert.deepEqual(flags, ["--max-semi-space-size=2", "--no-concurrent-marking", "--no-incremental-marking"]);
  const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> }).scripts;
  for (const name of ["start", "bench"]) {
    const words = (scripts[name] ?? "").split(/\s+/);
    assert.equal(words[0], "node", name);
    assert.deepEqual(words.slice(1, 1 + flags.length), flags, `npm ${name}: ${scripts[name]}`);
  }
});

test("under those flags this node starts, and dropped typed arrays are still collected as they pile up", () => {
  // 64 × 16 MiB written and dropped: ~1 GiB if nothing were freed; V8 marks in one pause and frees them.
  const script = `
    for (let i = 0; i < 64; i++) new Float32Array(4 << 20).fill(1);
    process.stdout.write(String(process.resourceUsage().maxRSS / 1024));
  `;
  const r = spawnSync(process.execPath, [...shebangFlags(), "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const peakMiB = Number(r.stdout);
  assert.ok(peakMiB < 400, `peak RSS ${peakMiB.toFixed(0)} MiB`);
});
