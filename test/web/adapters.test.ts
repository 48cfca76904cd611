// The browser adapters, checked in Node against Node's own: the Buffer/path stand-ins and the
// file-system-free model loader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as nodeJoin } from "node:path";
import { Buffer as BrowserBuffer } from "../../src/web/shims/globals.js";
import { basename, extname, join } from "../../src/web/shims/node-misc.js";
import { existsSync, readFileSync as shimRead, registerFile } from "../../src/web/shims/node-fs.js";
import { loadModelFromBytes } from "../../src/web/worker/load-model.js";
import { fromPretrained } from "../../src/models/pretrained.js";
import { bertFolder, t5Folder } from "./model-folders.js";

test("Buffer stand-in: UTF-8 and base64 as Node's Buffer", () => {
  for (const text of ["", "plain", "État de l'Union 🙂", "\u0000\uffff"]) {
    assert.equal(BrowserBuffer.byteLength(text), Buffer.byteLength(text));
    assert.equal(BrowserBuffer.from(text).toString("base64"), Buffer.from(text).toString("base64"));
    assert.equal(BrowserBuffer.from(Buffer.from(text).toString("base64"), "base64").toString("utf8"), text);
  }
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256); // more than one String.fromCharCode chunk
  assert.equal(BrowserBuffer.from(bytes).toString("base64"), Buffer.from(bytes).toString("base64"));
  assert.throws(() => BrowserBuffer.from("x").toString("latin1"), /latin1 is not supported in the browser/);
});

test("path and fs stand-ins", () => {
  assert.equal(join("/a/b", "../c", "./d.json"), "/a/c/d.json");
  assert.equal(join("a", "b/"), "a/b");
  assert.equal(basename("/x/y/z.wasm"), "z.wasm");
  assert.equal(extname("/x/y/z.tar.gz"), ".gz");
  registerFile("k.wasm", Uint8Array.of(1, 2));
  assert.equal(existsSync("/anywhere/k.wasm"), true);
  assert.deepEqual([...shimRead(new URL("file:///build/k.wasm"))], [1, 2]);
  assert.throws(() => shimRead("/etc/passwd"), /no file system in the browser/);
});

test("loadModelFromBytes loads BERT and T5 folders exactly as fromPretrained does", () => {
  const dir = mkdtempSync(nodeJoin(tmpdir(), "loom-web-load-"));
  try {
    for (const folder of [bertFolder(nodeJoin(dir, "bert")), t5Folder(nodeJoin(dir, "t5"))]) {
      const config = JSON.parse(readFileSync(nodeJoin(folder, "config.json"), "utf8")) as unknown;
      const browser = loadModelFromBytes(config, new Uint8Array(readFileSync(nodeJoin(folder, "model.safetensors"))), "run");
      const node = fromPretrained(folder).model;
      assert.equal(browser.modelType, node.modelType);
      assert.equal(browser.training, false);
      const a = browser.stateDict();
      for (const [name, tensor] of node.stateDict()) assert.deepEqual(a.get(name)!.toTypedArray(), tensor.toTypedArray(), name);
    }
    assert.throws(() => loadModelFromBytes({ model_type: "gpt2", n_layer: 1, n_head: 1, n_embd: 4, vocab_size: 5, n_positions: 4 }, new Uint8Array(8), "broken"), /broken\/model\.safetensors/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
