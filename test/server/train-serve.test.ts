import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCorpus } from "../../src/data/corpus.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;

test("loom train --serve: the run's metrics stream from the server while it trains", async () => {
  const dir = mkdtempSync(join(tmpdir(), "loom-train-serve-"));
  const data = join(dir, "text.txt");
  writeFileSync(data, readCorpus().slice(0, 2).map((d) => d.text).join("\n"));
  const out = join(dir, "run");
  const child = spawn(process.execPath, [
    "--import", "tsx", main, "train", "--data", data, "--out", out, "--tokenizer", "byte", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
    "--block-size", "16", "--batch-size", "4", "--steps", "100000", "--checkpoint-interval", "0", "--samples", "0", "--serve", "0",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stdout = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        const m = /loom web app: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`loom train exited with ${code} before serving: ${stdout}`)));
    });
    const { runs } = (await (await fetch(new URL("/api/runs", url))).json()) as { runs: { name: string; training: boolean }[] };
    assert.deepEqual(runs.map((r) => r.name), ["run"]);
    const response = await fetch(new URL("/api/runs/run/events", url));
    const reader = response.body!.getReader();
    let text = "";
    while (!/event: metrics\ndata: \[\{"step":\d+/.test(text)) {
      const { value, done } = await reader.read();
      assert.ok(!done, "the stream ended before a metrics row came");
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
  } finally {
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGINT"); // the trainer saves a checkpoint and stops; the server closes with it
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
