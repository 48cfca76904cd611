import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLoomServer, listen, MAX_TEXT_CHARS } from "../../src/server/index.js";
import { startServer } from "../../src/cli/commands/serve.js";
import { Tokenizer } from "../../src/tokenizers/tokenizer.js";
import { tinyRun } from "../analysis/tiny-run.js";

describe("loom serve: API, files, events and bad input", () => {
  let dir = "";
  let run = "";
  let server: Server;
  let base = "";

  before(async () => {
    ({ dir, run } = await tinyRun(6, 1));
    // A collection with a second run (config only) and a web root with an index page.
    mkdirSync(join(dir, "more", "other"), { recursive: true });
    writeFileSync(join(dir, "more", "other", "config.json"), JSON.stringify({ model_type: "bert" }));
    mkdirSync(join(dir, "web"));
    writeFileSync(join(dir, "web", "index.html"), "<!doctype html><title>loom</title>");
    server = createLoomServer({ runs: [run], collections: [join(dir, "more")], webRoot: join(dir, "web") });
    base = await listen(server, 0, "127.0.0.1");
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, type = "application/json"): Promise<Response> =>
    fetch(new URL(path, base), { method: "POST", headers: { "Content-Type": type }, body });

  test("runs, run, metrics, files and the web root, each with the cross-origin isolation headers", async () => {
    const list = await fetch(new URL("/api/runs", base));
    assert.equal(list.status, 200);
    assert.equal(list.headers.get("cross-origin-opener-policy"), "same-origin");
    assert.equal(list.headers.get("cross-origin-embedder-policy"), "require-corp");
    const { runs } = (await list.json()) as { runs: { name: string; modelType: string; hasModel: boolean }[] };
    assert.deepEqual(runs.map((r) => [r.name, r.modelType, r.hasModel]), [["run", "gpt2", true], ["other", "bert", false]]);
    const metrics = (await (await fetch(new URL("/api/runs/run/metrics", base))).json()) as { rows: { step: number; loss?: number; grad_norm?: number }[] };
    assert.ok(metrics.rows.some((r) => r.step === 6 && typeof r.loss === "number" && typeof r.grad_norm === "number"));
    const weights = await fetch(new URL("/api/runs/run/files/model.safetensors", base));
    assert.equal(weights.status, 200);
    assert.deepEqual(new Uint8Array(await weights.arrayBuffer()), new Uint8Array(readFileSync(join(run, "model.safetensors"))));
    const page = await fetch(base);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(page.headers.get("cross-origin-embedder-policy"), "require-corp");
    const wasm = await fetch(new URL("/wasm/loom-kernels-simd.wasm", base));
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
  });

  test("tokenize: the run's tokenizer's ids, tokens and counts", async () => {
    const text = "We the People, ünïcode";
    const r = await post("/api/runs/run/tokenize", JSON.stringify({ text }));
    assert.equal(r.status, 200);
    const body = (await r.json()) as { ids: number[]; count: number; characters: number; bytes: number };
    assert.deepEqual(body.ids, Tokenizer.fromFile(join(run, "tokenizer.json")).encodeIds(text));
    assert.deepEqual([body.count, body.characters, body.bytes], [body.ids.length, 22, 24]);
  });

  test("bad input gets a clear 4xx and the server keeps serving", async () => {
    const expectError = async (response: Promise<Response>, status: number, pattern: RegExp): Promise<void> => {
      const r = await response;
      assert.equal(r.status, status);
      const { error } = (await r.json()) as { error: string };
      assert.match(error, pattern);
    };
    await expectError(fetch(new URL("/api/runs/nope/metrics", base)), 404, /unknown run "nope" \(runs: run, other\)/);
    await expectError(fetch(new URL("/api/nothing", base)), 404, /no API route/);
    await expectError(post("/api/runs/run/tokenize", "{not json"), 400, /malformed JSON body/);
    await expectError(post("/api/runs/run/tokenize", "[1]"), 400, /must be an object/);
    await expectError(post("/api/runs/run/tokenize", JSON.stringify({ text: 5 })), 400, /field "text" must be a string/);
    await expectError(post("/api/runs/run/tokenize", "text=hi", "application/x-www-form-urlencoded"), 415, /expected Content-Type application\/json/);
    await expectError(post("/api/runs/run/tokenize", JSON.stringify({ text: "x".repeat(MAX_TEXT_CHARS + 1) })), 413, /at most 100000/);
    await expectError(post("/api/runs/run/tokenize", JSON.stringify({ text: "x".repeat(2_000_000) })), 413, /over the limit/);
    await expectError(fetch(new URL("/api/runs/run/metrics", base), { method: "DELETE" }), 405, /DELETE is not allowed/);
    await expectError(fetch(new URL("/api/runs/%E0%A4%A/metrics", base)), 400, /malformed percent-encoding/);
    await expectError(fetch(new URL("/api/runs/run/files/trainer_state.json", base)), 404, /no API route/);
    await expectError(fetch(new URL("/%2e%2e/%2e%2e/etc/passwd", base)), 404, /not found/);
    await expectError(fetch(new URL("/api/runs/other/tokenize", base), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "a" }) }), 404, /no tokenizer.json/);
    // fetch may not set Host, so a plain request does (a DNS-rebinding page would send its own name).
    const rebinding = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL("/api/runs", base), { headers: { Host: "evil.example:80" } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(rebinding.status, 421);
    assert.match(rebinding.body, /host \\"evil.example\\" is not served here/);
    // A request line that is not HTTP: 400, connection closed, server alive.
    const port = (server.address() as AddressInfo).port;
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
    });
    assert.match(raw, /^HTTP\/1.1 400 Bad Request/);
    assert.equal((await fetch(new URL("/api/runs", base))).status, 200);
  });

  test("events: metrics rows as they are appended, complete lines only", async () => {
    const controller = new AbortController();
    const response = await fetch(new URL("/api/runs/run/events", base), { signal: controller.signal });
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const events = async (count: number): Promise<string[]> => {
      for (;;) {
        const found = text.split("\n\n").filter((e) => e.startsWith("event: metrics"));
        if (found.length >= count) return found;
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value);
      }
    };
    const first = await events(1);
    assert.ok(JSON.parse(first[0]!.split("data: ")[1]!).length >= 6);
    const file = join(run, "metrics.jsonl");
    appendFileSync(file, JSON.stringify({ step: 99, loss: 1.5 }) + "\n" + '{"step": 100, "lo'); // the second line is torn
    const second = await events(2);
    assert.deepEqual(JSON.parse(second[1]!.split("data: ")[1]!), [{ step: 99, loss: 1.5 }]);
    appendFileSync(file, 'ss": 1.25}\n');
    const third = await events(3);
    assert.deepEqual(JSON.parse(third[2]!.split("data: ")[1]!), [{ step: 100, loss: 1.25 }]);
    controller.abort();
  });

  test("loom serve binds to 127.0.0.1 by default", async () => {
    const empty = mkdtempSync(join(tmpdir(), "loom-serve-"));
    const lines: string[] = [];
    const s = await startServer({ collections: [empty] }, 0, "127.0.0.1", (l) => lines.push(l));
    try {
      assert.equal((s.address() as AddressInfo).address, "127.0.0.1");
      assert.match(lines.join("\n"), /^loom web app: http:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      s.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
