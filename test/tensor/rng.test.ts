import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, getRngState, manualSeed, rand, randn, setRngState } from "../../src/index.js";

test("xoshiro128** matches the reference output for state {1,2,3,4}", () => {
  // First outputs of the reference C implementation (Blackman & Vigna), recomputed in Python.
  const g = new Generator(0);
  g.setState({ s: [1, 2, 3, 4], spare: null });
  assert.deepEqual([0, 1, 2, 3, 4].map(() => g.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883]);
});

test("same seed, same stream; different seeds, different streams", () => {
  const a = new Generator(42);
  const b = new Generator(42);
  const c = new Generator(43);
  const xs = Array.from({ length: 8 }, () => a.random());
  assert.deepEqual(Array.from({ length: 8 }, () => b.random()), xs);
  assert.notDeepEqual(Array.from({ length: 8 }, () => c.random()), xs);
  assert.notDeepEqual(new Generator(2 ** 32 + 5).random(), new Generator(5).random());
});

test("uniform in [0,1) and standard normal moments (10,000 samples)", () => {
  const g = new Generator(7);
  const n = 10000;
  let min = 1;
  let max = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const u = g.random();
    min = Math.min(min, u);
    max = Math.max(max, u);
    s += u;
  }
  assert.ok(min >= 0 && max < 1);
  assert.ok(Math.abs(s / n - 0.5) < 0.01);
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const z = g.normal();
    m1 += z;
    m2 += z * z;
  }
  assert.ok(Math.abs(m1 / n) < 0.03, `mean ${m1 / n}`);
  assert.ok(Math.abs(m2 / n - 1) < 0.05, `variance ${m2 / n}`);
  const counts = new Array<number>(3).fill(0);
  for (let i = 0; i < 3000; i++) counts[g.randint(-1, 2) + 1]++;
  for (const c of counts) assert.ok(c > 900 && c < 1100, `randint counts ${counts.join(",")}`);
});

test("manualSeed and get/setRngState reproduce the default stream", () => {
  manualSeed(123);
  const first = randn([5]).toArray();
  manualSeed(123);
  assert.deepEqual(randn([5]).toArray(), first);
  const state = getRngState();
  const next = rand([4]).toArray();
  const afterNormals = randn([3]).toArray(); // leaves a cached Box–Muller spare
  setRngState(state);
  assert.deepEqual(rand([4]).toArray(), next);
  assert.deepEqual(randn([3]).toArray(), afterNormals);
  const mid = getRngState();
  const tail = randn([3]).toArray();
  setRngState(mid);
  assert.deepEqual(randn([3]).toArray(), tail, "the spare normal is part of the state");
});
