import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DTypeError, ShapeError, ValueError, optim, tensor, zeros } from "../../src/index.js";
import { Adam, AdamW, SGD, stateDictFromJSON, stateDictToJSON } from "../../src/optim/index.js";
import { FixtureMlp, PARAM_NAMES, checkAgainstTorch, fixture, makeOptimizer, optimizerCase } from "./helpers.js";

describe("optim/Optimizer: parameter groups", () => {
  test("exported from the package root as the optim namespace", () => {
    assert.equal(optim.AdamW, AdamW);
    assert.equal(typeof optim.lrScheduler.warmupCosine, "function");
    assert.equal(typeof optim.clipGradNorm, "function");
  });

  test("tensors make one group with the defaults; group specs fill what they leave out", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const b = tensor([0], { requiresGrad: true });
    const one = new AdamW([w, b], { lr: 0.5 });
    assert.equal(one.paramGroups.length, 1);
    assert.equal(one.paramGroups[0]?.lr, 0.5);
    assert.equal(one.paramGroups[0]?.weightDecay, 0.01);
    assert.deepEqual(one.paramGroups[0]?.betas, [0.9, 0.999]);
    const two = new AdamW([{ params: [w] }, { params: b, weightDecay: 0, lr: undefined }], { lr: 0.5 });
    assert.deepEqual(two.paramGroups.map((g) => [g.params.length, g.lr, g.weightDecay]), [[1, 0.5, 0.01], [1, 0.5, 0]]);
    // Each group owns its betas array.
    assert.notEqual(two.paramGroups[0]?.betas, two.paramGroups[1]?.betas);
    const c = tensor([3], { requiresGrad: true });
    two.addParamGroup({ params: [c], lr: 0.1 });
    assert.deepEqual(two.paramGroups.map((g) => g.lr), [0.5, 0.5, 0.1]);
  });

  test("rejects empty, mixed, shared, duplicate, non-leaf and integer parameters and unknown options", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => new SGD([]), /empty parameter list/);
    assert.throws(() => new SGD([w, { params: [w] }] as never), /all tensors or all parameter groups/);
    assert.throws(() => new SGD([{ params: [w] }, { params: [w] }]), /more than one parameter group/);
    assert.throws(() => new SGD([w, w]), /appears twice/);
    assert.throws(() => new SGD([w.mul(2)]), /non-leaf/);
    assert.throws(() => new SGD([tensor([1], { dtype: "int32" })]), DTypeError);
    assert.throws(() => new SGD([{ params: [w], betas: [0.9, 0.99] } as never]), /unknown option "betas"/);
    const opt = new SGD([w]);
    assert.throws(() => opt.addParamGroup({ params: [w] }), /more than one parameter group/);
  });
});

describe("optim/Optimizer: float32", () => {
  test("every fixture case in float32 follows PyTorch's float64 trajectory to float32 accuracy", () => {
    // Measured worst case: 3e-5 relative (with a 1e-3 floor) after 25 steps; float64 runs match to 1e-9.
    for (const c of fixture().optimizers) checkAgainstTorch(c.name, 2e-4, 2e-6, "float32");
  });
});

describe("optim/Optimizer: zeroGrad and step", () => {
  test("zeroGrad sets grads to null, or to zeros in place", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor([3, 4]);
    const g = w.grad;
    opt.zeroGrad(false);
    assert.equal(w.grad, g);
    assert.deepEqual(g.toArray(), [0, 0]);
    opt.zeroGrad();
    assert.equal(w.grad, null);
  });

  test("parameters without a gradient are skipped and get no state", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const frozen = tensor([5], { requiresGrad: true });
    const opt = new Adam([w, frozen], { lr: 0.1 });
    w.grad = tensor([1, -1]);
    opt.step();
    assert.deepEqual(frozen.toArray(), [5]);
    assert.notDeepEqual(w.toArray(), [1, 2]);
    assert.deepEqual(Object.keys(opt.stateDict().state), ["0"]);
  });

  test("step(closure) evaluates the loss with gradients recorded and returns it", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.square().sum();
      l.backward();
      return l.item();
    });
    assert.equal(loss, 5);
    assert.deepEqual(w.toArray(), [0.5, 1]); // w − 0.25·2w
  });
});

describe("optim/Optimizer: stateDict", () => {
  /** Steps `n` times; returns nothing — the optimiser and MLP hold the result. */
  const run = (mlp: FixtureMlp, opt: ReturnType<typeof makeOptimizer>, n: number): void => {
    for (let i = 0; i < n; i++) {
      mlp.lossAndGrad(opt);
      opt.step();
    }
  };

  for (const name of ["sgd-momentum-nesterov-wd", "rmsprop-centered-momentum", "adam-amsgrad-l2", "adamw-groups"]) {
    test(`${name}: state saved after 10 steps (through JSON) continues exactly like an uninterrupted run`, () => {
      const c = optimizerCase(name);
      const straight = new FixtureMlp();
      const straightOpt = makeOptimizer(c, straight);
      run(straight, straightOpt, 10);
      const saved = JSON.stringify(stateDictToJSON(straightOpt.stateDict()));
      const weights = PARAM_NAMES.map((n) => straight.params[n].toTypedArray());
      run(straight, straightOpt, 15);

      const resumed = new FixtureMlp();
      PARAM_NAMES.forEach((n, i) => resumed.params[n].storage.set(weights[i] as Float64Array));
      const resumedOpt = makeOptimizer(c, resumed);
      resumedOpt.loadStateDict(stateDictFromJSON(JSON.parse(saved)));
      run(resumed, resumedOpt, 15);
      for (const n of PARAM_NAMES) assert.deepEqual(resumed.params[n].toArray(), straight.params[n].toArray(), n);
      assert.deepEqual(resumedOpt.stateDict(), straightOpt.stateDict());
    });
  }

  test("layout: PyTorch numbering across groups, typed buffers, group options; copies both ways", () => {
    const mlp = new FixtureMlp();
    const opt = makeOptimizer(optimizerCase("adamw-groups"), mlp);
    mlp.lossAndGrad(opt);
    opt.step();
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0, 1], [2, 3]]);
    assert.deepEqual(sd.paramGroups[1], {
      lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [2, 3],
    });
    const s1 = sd.state["1"]; // w2, shape [8, 3]
    assert.equal(s1?.step, 1);
    const expAvg = s1?.expAvg;
    assert.ok(expAvg && typeof expAvg === "object");
    assert.equal(expAvg.dtype, "float64");
    assert.deepEqual(expAvg.shape, [8, 3]);
    assert.ok(expAvg.data instanceof Float64Array && expAvg.data.length === 24);
    // The saved buffer is a copy: changing it changes neither the optimiser nor a later load's source.
    const before = opt.stateDict();
    expAvg.data.fill(123);
    assert.deepEqual(opt.stateDict(), before);
    // Loading restores hyperparameters (a scheduler may have changed lr).
    opt.paramGroups[0]!.lr = 7;
    opt.loadStateDict(before);
    assert.equal(opt.paramGroups[0]?.lr, 0.01);
  });

  test("float32 parameters: buffers saved as float32, loaded state cast to the parameter's dtype", () => {
    const w = zeros([2, 2], { requiresGrad: true });
    const opt = new Adam([w]);
    w.grad = tensor([[1, 2], [3, 4]]);
    opt.step();
    const sd = opt.stateDict();
    const buffer = sd.state["0"]?.expAvg;
    assert.ok(buffer && typeof buffer === "object" && buffer.dtype === "float32" && buffer.data instanceof Float32Array);
    const w64 = zeros([2, 2], { dtype: "float64", requiresGrad: true });
    const opt64 = new Adam([w64]);
    opt64.loadStateDict(sd);
    const loaded = opt64.stateDict().state["0"]?.expAvg;
    assert.ok(loaded && typeof loaded === "object" && loaded.data instanceof Float64Array);
    assert.deepEqual([...loaded.data], [...buffer.data]);
  });

  test("loadStateDict checks groups, parameter counts, shapes and keys before changing anything", () => {
    const mlp = new FixtureMlp();
    const opt = makeOptimizer(optimizerCase("adamw-groups"), mlp);
    mlp.lossAndGrad(opt);
    opt.step();
    const sd = opt.stateDict();
    const single = makeOptimizer(optimizerCase("adamw"), new FixtureMlp());
    assert.throws(() => single.loadStateDict(sd), /saved state has 2 parameter groups, this optimiser has 1/);

    const fewer = new AdamW([{ params: [mlp.params.w1] }, { params: [mlp.params.b1, mlp.params.b2] }]);
    assert.throws(() => fewer.loadStateDict(sd), /parameter group 0 has 2 parameters in the saved state, 1 here/);

    // Same counts, different shapes: w1 [4,8] and b1 [8] swapped for w2 [8,3] and b2 [3].
    const swapped = new AdamW([
      { params: [mlp.params.w2, mlp.params.b2] }, { params: [mlp.params.w1, mlp.params.b1] },
    ]);
    assert.throws(() => swapped.loadStateDict(sd), (e: unknown) => e instanceof ShapeError && /state\[0\]\.expAvg has shape \[4,8\], but the parameter has shape \[8,3\]/.test(e.message));
    assert.equal(swapped.stateDict().state["0"], undefined);

    const sgd = new SGD([{ params: [mlp.params.w1, mlp.params.b1] }, { params: [mlp.params.w2, mlp.params.b2] }]);
    assert.throws(() => sgd.loadStateDict(sd), /unknown|invalid|no "momentumBuffer"/);

    const broken = opt.stateDict();
    broken.state["9"] = { step: 1 };
    assert.throws(() => opt.loadStateDict(broken), /state for parameter 9, but the optimiser has 4 parameters/);
    const missing = opt.stateDict();
    delete missing.state["0"]?.expAvgSq;
    assert.throws(() => opt.loadStateDict(missing), /state\[0\] has no "expAvgSq"/);
    const badLr = opt.stateDict();
    badLr.paramGroups[0]!.lr = -1;
    assert.throws(() => opt.loadStateDict(badLr), ValueError);
  });
});
