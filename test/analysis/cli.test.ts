import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../src/cli/program.js";
import { checkXml } from "./helpers.js";
import { tinyRun } from "./tiny-run.js";

/** Runs `loom ARGS` in this process; returns the exit code and what it printed. */
async function loom(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(["node", "loom", ...args]);
    return { code, out: out.join("\n"), err: err.join("") };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test("loom attention and loom analyze on a trained run", async () => {
  const { dir, run, data } = await tinyRun();
  try {
    const text = "The people, the Congress.";
    const svg = join(dir, "grid.svg");
    let r = await loom(["attention", "--run", run, "--text", text, "--out", svg]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /decoder attention \(2 layers × 2 heads, 25 × 25 tokens\)/);
    assert.equal(checkXml(readFileSync(svg, "utf8")).counts.get("g"), 4); // one thumbnail per layer × head

    r = await loom(["attention", "--run", run, "--text", text, "--layer", "1", "--head", "0", "--out", join(dir, "h.svg")]);
    assert.equal(r.code, 0, r.err);
    assert.equal(checkXml(readFileSync(join(dir, "h.svg"), "utf8")).counts.get("rect"), 25 * 25);

    r = await loom(["attention", "--run", run, "--text", text, "--layer", "0", "--out", join(dir, "a.png")]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(Array.from(readFileSync(join(dir, "a.png")).subarray(1, 4)), [0x50, 0x4e, 0x47]);

    const json = join(dir, "a.json");
    r = await loom(["attention", "--run", run, "--text", text, "--layer", "1", "--out", json]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { keyTokens: string[]; layers: { layer: number; heads: { weights: number[][]; class: string; statistics: { entropy: number } }[] }[] };
    assert.equal(doc.keyTokens.join(""), text);
    assert.equal(doc.layers.length, 1);
    assert.equal(doc.layers[0]!.heads.length, 2);
    const rows = doc.layers[0]!.heads[0]!.weights;
    assert.equal(rows.length, 25);
    rows.forEach((row, q) => {
      assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-4, `row ${q} sums to 1`);
      assert.ok(row.slice(q + 1).every((x) => x === 0), `row ${q} is causal`);
    });

    // Mistakes get one clear line and nothing is overwritten.
    r = await loom(["attention", "--run", run, "--text", text, "--out", json]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists\nhint: give --overwrite to replace it/);
    r = await loom(["attention", "--run", run, "--text", text, "--out", join(dir, "x.txt")]);
    assert.match(r.err, /unknown format "\.txt"/);
    r = await loom(["attention", "--run", run, "--text", text, "--layer", "2", "--out", join(dir, "y.svg")]);
    assert.match(r.err, /--layer 2 is out of range: the model has 2/);
    r = await loom(["attention", "--run", join(dir, "nope"), "--text", text, "--out", join(dir, "y.svg")]);
    assert.match(r.err, /no such run folder/);
    r = await loom(["attention", "--run", run, "--text", text, "--stack", "cross", "--out", join(dir, "y.svg")]);
    assert.match(r.err, /this model has no cross attention/);
    assert.ok(!existsSync(join(dir, "y.svg")));

    // The report over the cached validation tokens, and over --data's held-out tail.
    r = await loom(["analyze", "--run", run, "--samples", "4", "--length", "24"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sample: 4 windows of 24 tokens/);
    const out = join(run, "attention-analysis");
    const report = JSON.parse(readFileSync(join(out, "report-decoder.json"), "utf8")) as { inputs: number; layers: number; perLayer: unknown[]; perHead: unknown[][] };
    assert.deepEqual([report.inputs, report.layers, report.perLayer.length, report.perHead[0]!.length], [4, 2, 2, 2]);
    assert.equal(checkXml(readFileSync(join(out, "depth-decoder.svg"), "utf8")).counts.get("circle")! > 0, true);
    assert.match(readFileSync(join(out, "report-decoder.md"), "utf8"), /\| 1 \|/);
    r = await loom(["analyze", "--run", run, "--samples", "4"]);
    assert.match(r.err, /already exists/);
    r = await loom(["analyze", "--run", run, "--data", data, "--samples", "3", "--out", join(dir, "an2")]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sample: 3 sentences of the validation split of/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
