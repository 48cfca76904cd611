import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FormatError, tensor } from "../../src/index.js";
import { Adam, stateDictFromJSON, stateDictToJSON } from "../../src/optim/index.js";

describe("optim/stateDict JSON form", () => {
  test("buffers become number arrays and come back as the same typed arrays (float32 exactly)", () => {
    const w = tensor([[0.1, -0.2], [0.3, 1e-7]], { requiresGrad: true });
    const opt = new Adam([w], { amsgrad: true });
    w.grad = tensor([[1 / 3, -2 / 7], [5, 1e-9]]);
    opt.step();
    const sd = opt.stateDict();
    const json = JSON.parse(JSON.stringify(stateDictToJSON(sd))) as unknown;
    const state0 = (json as { state: Record<string, Record<string, unknown>> }).state["0"];
    assert.deepEqual((state0?.expAvg as { shape: number[] }).shape, [2, 2]);
    assert.ok(Array.isArray((state0?.expAvg as { data: unknown }).data));
    assert.deepEqual(stateDictFromJSON(json), sd);
  });

  test("malformed input names the file and field", () => {
    const bad = (json: unknown, field: RegExp): void => {
      assert.throws(() => stateDictFromJSON(json, "ckpt/optimizer.json"), (e: unknown) => e instanceof FormatError && e.file === "ckpt/optimizer.json" && field.test(e.field));
    };
    bad(null, /\(root\)/);
    bad({ state: [], paramGroups: [] }, /^state$/);
    bad({ state: {}, paramGroups: {} }, /^paramGroups$/);
    bad({ state: {}, paramGroups: [{ lr: 1 }] }, /^paramGroups\.0\.params$/);
    bad({ state: { 0: { step: "1" } }, paramGroups: [] }, /^state\.0\.step$/);
    bad({ state: { 0: { expAvg: { dtype: "int8", shape: [1], data: [1] } } }, paramGroups: [] }, /^state\.0\.expAvg\.dtype$/);
    bad({ state: { 0: { expAvg: { dtype: "float32", shape: [2], data: [1] } } }, paramGroups: [] }, /^state\.0\.expAvg\.data$/);
    bad({ state: { 0: { expAvg: { dtype: "float32", shape: [-1], data: [] } } }, paramGroups: [] }, /^state\.0\.expAvg\.shape$/);
  });
});
