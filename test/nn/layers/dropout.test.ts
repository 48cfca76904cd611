/** Dropout layer: active in training mode, identity in eval mode, seeded. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Generator, ValueError, nn, ones } from "../../../src/index.js";

describe("nn.Dropout", () => {
  test("drops in training mode and is the identity in eval mode", () => {
    const d = new nn.Dropout(0.5, { generator: new Generator(3) });
    const x = ones([1000]);
    const y = d.forward(x).toTypedArray();
    const dropped = y.filter((v) => v === 0).length;
    assert.ok(dropped > 400 && dropped < 600, `dropped ${dropped}`);
    d.eval();
    assert.equal(d.forward(x), x);
  });

  test("same generator seed, same mask; bad p is an error", () => {
    const a = new nn.Dropout(0.3, { generator: new Generator(5) }).forward(ones([50])).toArray();
    const b = new nn.Dropout(0.3, { generator: new Generator(5) }).forward(ones([50])).toArray();
    assert.deepEqual(a, b);
    assert.throws(() => new nn.Dropout(2), ValueError);
    assert.equal(new nn.Dropout(0.2).toString(), "Dropout(p=0.2)");
  });
});
