/** Sequential, ModuleList, ModuleDict: ordering, names, indexing, forward. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IndexError, ValueError, nn, randn } from "../../../src/index.js";

describe("nn containers", () => {
  test("Sequential chains forward and names children 0, 1, …", () => {
    const a = new nn.Linear(4, 8);
    const b = new nn.Linear(8, 2);
    const seq = new nn.Sequential(a, new nn.ReLU(), b);
    const x = randn([3, 4]);
    assert.deepEqual(seq.forward(x).toArray(), b.forward(a.forward(x).relu()).toArray());
    assert.deepEqual(seq.namedParameters().map(([k]) => k), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    assert.equal(seq.length, 3);
    assert.equal(seq.at(-1), b);
    seq.append(new nn.Identity());
    assert.equal(seq.length, 4);
    assert.throws(() => seq.at(4), IndexError);
  });

  test("ModuleList keeps insertion order past ten items", () => {
    const list = new nn.ModuleList<nn.Module>(Array.from({ length: 12 }, (_, i) => new nn.Linear(1, i + 1, { bias: false })));
    const names = list.namedParameters().map(([k]) => k);
    assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => `${i}.weight`));
    assert.deepEqual([...list].map((m) => (m as nn.Linear).outFeatures), Array.from({ length: 12 }, (_, i) => i + 1));
    list.extend([new nn.ReLU()]);
    assert.equal(list.length, 13);
  });

  test("ModuleDict: names are keys, in insertion order", () => {
    const d = new nn.ModuleDict<nn.Linear>({ zeta: new nn.Linear(2, 2), alpha: new nn.Linear(2, 3) });
    d.set("10", new nn.Linear(3, 1));
    assert.deepEqual(d.keys(), ["zeta", "alpha", "10"]);
    assert.deepEqual(d.namedParameters().map(([k]) => k), ["zeta.weight", "zeta.bias", "alpha.weight", "alpha.bias", "10.weight", "10.bias"]);
    assert.equal(d.get("alpha").outFeatures, 3);
    assert.ok(d.has("zeta") && !d.has("beta"));
    assert.throws(() => d.get("beta"), IndexError);
    assert.throws(() => d.set("train", new nn.Linear(1, 1)), ValueError);
  });
});
