/** Module: registration (fields and explicit), dotted names and order, traversal, modes, state dicts, repr. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShapeError, Tensor, ValueError, nn, ones, randn, tensor, zeros } from "../../src/index.js";

const { Module, Parameter, Linear, LayerNorm, Dropout, ModuleList, Sequential, ReLU } = nn;

class Block extends Module {
  ln = new LayerNorm(4);
  fc: nn.Linear;
  drop = new Dropout(0.1);
  constructor() {
    super();
    this.fc = new Linear(4, 4);
    this.registerBuffer("mask", ones([4]));
    this.registerBuffer("scratch", zeros([2]), { persistent: false });
  }
  forward(x: Tensor): Tensor {
    return this.drop.forward(this.fc.forward(this.ln.forward(x)));
  }
}

class Net extends Module {
  scale = new Parameter(ones([1]));
  layers = new ModuleList([new Block(), new Block()]);
  head: nn.Linear | null = null;
  constructor(withHead: boolean) {
    super();
    if (withHead) this.head = new Linear(4, 2, { bias: false });
  }
  forward(x: Tensor): Tensor {
    let y = x.mul(this.scale);
    for (const b of this.layers) y = b.forward(y);
    return this.head ? this.head.forward(y) : y;
  }
}

const blockParams = (p: string) => [`${p}.ln.weight`, `${p}.ln.bias`, `${p}.fc.weight`, `${p}.fc.bias`];

describe("nn.Module", () => {
  test("namedParameters: dotted PyTorch names in assignment order; null fields skipped", () => {
    const net = new Net(true);
    assert.deepEqual(net.namedParameters().map(([k]) => k), ["scale", ...blockParams("layers.0"), ...blockParams("layers.1"), "head.weight"]);
    assert.deepEqual(new Net(false).namedParameters().map(([k]) => k).at(-1), "layers.1.fc.bias");
    assert.equal(net.parameters()[0], net.scale);
    assert.ok(net.parameters().every((p) => p instanceof Parameter && p.requiresGrad));
    assert.equal(net.numParameters(), 1 + 2 * (4 + 4 + 16 + 4) + 8);
  });

  test("buffers, children, modules", () => {
    const net = new Net(false);
    assert.deepEqual(net.namedBuffers().map(([k]) => k), ["layers.0.mask", "layers.0.scratch", "layers.1.mask", "layers.1.scratch"]);
    assert.deepEqual(net.namedChildren().map(([k]) => k), ["layers"]);
    assert.deepEqual(net.children(), [net.layers]);
    assert.deepEqual(net.namedModules().map(([k]) => k), ["", "layers", "layers.0", "layers.0.ln", "layers.0.fc", "layers.0.drop",
      "layers.1", "layers.1.ln", "layers.1.fc", "layers.1.drop"]);
    assert.equal(net.modules()[0], net);
  });

  test("explicit registration sets the field; invalid names and values are errors", () => {
    const m = new Module();
    const p = new Parameter(randn([2]));
    m.registerParameter("w", p);
    m.registerModule("sub", new ReLU());
    assert.equal((m as unknown as { w: unknown }).w, p);
    assert.deepEqual(m.namedParameters().map(([k]) => k), ["w"]);
    assert.throws(() => m.registerParameter("a.b", p), ValueError);
    assert.throws(() => m.registerParameter("", p), ValueError);
    assert.throws(() => m.registerParameter("training", p), /already an attribute/);
    assert.throws(() => m.registerModule("train", new ReLU()), /already an attribute/);
    assert.throws(() => m.registerParameter("t", randn([2]) as nn.Parameter), /must be a Parameter/);
    assert.throws(() => m.registerBuffer("b", p), /use registerParameter/);
  });

  test("reassigning a field replaces the slot; a plain Tensor in a parameter slot is an error", () => {
    const lin = new Linear(3, 2);
    const w = new Parameter(zeros([2, 3]));
    lin.weight = w;
    assert.equal(lin.parameters()[0], w);
    (lin as unknown as { weight: Tensor }).weight = zeros([2, 3]);
    assert.throws(() => lin.parameters(), /wrap it in Parameter/);
  });

  test("a shared (tied) parameter is listed once but appears under both names in the state dict", () => {
    const a = new Linear(3, 3, { bias: false });
    const b = new Linear(3, 3, { bias: false });
    b.weight = a.weight;
    const seq = new Sequential(a, b);
    assert.deepEqual(seq.namedParameters().map(([k]) => k), ["0.weight"]);
    assert.deepEqual([...seq.stateDict().keys()], ["0.weight", "1.weight"]);
  });

  test("train/eval propagate to every submodule", () => {
    const net = new Net(true);
    assert.ok(net.modules().every((m) => m.training));
    assert.equal(net.eval(), net);
    assert.ok(net.modules().every((m) => !m.training));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
    net.layers.at(0).train(false);
    assert.deepEqual(net.modules().map((m) => m.training).filter((t) => !t).length, 4); // Block, ln, fc, drop
  });

  test("eval mode turns dropout into the identity", () => {
    const block = new Block();
    const x = randn([3, 4]);
    block.eval();
    assert.deepEqual(block.forward(x).toArray(), block.fc.forward(block.ln.forward(x)).toArray());
  });

  test("zeroGrad sets gradients to null (or zero-fills them)", () => {
    const net = new Net(true);
    net.forward(randn([2, 4])).sum().backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad({ setToNone: false });
    assert.ok(net.parameters().every((p) => p.grad !== null && [...p.grad.toTypedArray()].every((v) => v === 0)));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });

  test("apply visits children before their parent, each module once", () => {
    const net = new Net(true);
    const names: string[] = [];
    net.apply((m) => names.push(m.constructor.name));
    assert.deepEqual(names, ["LayerNorm", "Linear", "Dropout", "Block", "LayerNorm", "Linear", "Dropout", "Block", "ModuleList", "Linear", "Net"]);
    net.apply((m) => { if (m instanceof Linear) nn.init.zeros(m.weight); });
    assert.ok([...net.layers.at(1).fc.weight.toTypedArray()].every((v) => v === 0));
  });

  test("requiresGrad_(false) freezes, numParameters can count trainable ones only", () => {
    const net = new Net(true);
    net.layers.requiresGrad_(false);
    assert.equal(net.numParameters({ trainableOnly: true }), 1 + 8);
  });

  test("to(float64) converts parameters and buffers", () => {
    const b = new Block().to("float64");
    assert.ok(b.parameters().every((p) => p.dtype === "float64" && p instanceof Parameter && p.requiresGrad));
    assert.ok(b.buffers().every((t) => t.dtype === "float64"));
    assert.equal(b.forward(randn([2, 4], { dtype: "float64" })).dtype, "float64");
    const x = new Linear(2, 2, { bias: false });
    const y = new Linear(2, 2, { bias: false });
    y.weight = x.weight;
    const tied = new Sequential(x, y).to("float64");
    assert.equal(x.weight, y.weight, "tied weights stay tied");
    assert.equal(tied.parameters().length, 1);
  });
});

describe("nn.Module state dict", () => {
  test("keys: parameters and persistent buffers, each module's own before its children", () => {
    const keys = [...new Net(true).stateDict().keys()];
    const block = (p: string) => [`${p}.mask`, `${p}.ln.weight`, `${p}.ln.bias`, `${p}.fc.weight`, `${p}.fc.bias`];
    assert.deepEqual(keys, ["scale", ...block("layers.0"), ...block("layers.1"), "head.weight"]);
  });

  test("round trip copies values into the existing parameters", () => {
    const src = new Net(true);
    const dst = new Net(true);
    const before = dst.parameters();
    const result = dst.loadStateDict(src.stateDict());
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(dst.parameters(), before, "same Parameter objects");
    for (const [k, t] of src.stateDict()) assert.deepEqual(dst.stateDict().get(k)?.toArray(), t.toArray(), k);
    const x = randn([2, 4]);
    src.eval();
    dst.eval();
    assert.deepEqual(dst.forward(x).toArray(), src.forward(x).toArray());
  });

  test("stateDict tensors are detached and share storage; a plain object loads too", () => {
    const lin = new Linear(2, 2);
    const sd = lin.stateDict();
    const w = sd.get("weight") as Tensor;
    assert.equal(w.requiresGrad, false);
    assert.equal(w.storage, lin.weight.storage);
    const other = new Linear(2, 2);
    other.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: tensor([5, 6]) });
    assert.deepEqual(other.weight.toArray(), [[1, 2], [3, 4]]);
    assert.deepEqual(other.bias?.toArray(), [5, 6]);
  });

  test("strict errors name missing keys, unexpected keys and shape mismatches in one message, copying nothing", () => {
    const lin = new Linear(2, 3);
    const before = lin.weight.toArray();
    const sd = new Map<string, Tensor>([["weight", zeros([3, 3])], ["extra", zeros([1])]]);
    let message = "";
    assert.throws(() => lin.loadStateDict(sd), (e: unknown) => {
      assert.ok(e instanceof ValueError);
      message = (e as Error).message;
      return true;
    });
    assert.match(message, /missing keys: bias/);
    assert.match(message, /unexpected keys: extra/);
    assert.match(message, /shape mismatches: weight \(module \[3,2\], state dict \[3,3\]\)/);
    assert.deepEqual(lin.weight.toArray(), before);
  });

  test("non-strict loading reports key differences; shape mismatches still fail (ShapeError)", () => {
    const lin = new Linear(2, 3);
    const res = lin.loadStateDict(new Map([["weight", ones([3, 2])], ["extra", zeros([1])]]), { strict: false });
    assert.deepEqual(res, { missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    assert.deepEqual(lin.weight.toArray(), [[1, 1], [1, 1], [1, 1]]);
    assert.throws(() => lin.loadStateDict(new Map([["weight", ones([2, 3])]]), { strict: false }), ShapeError);
    assert.throws(() => lin.loadStateDict(new Map([["weight", ones([2, 3])], ["bias", ones([3])]])), ShapeError);
  });

  test("non-persistent buffers are neither saved nor expected", () => {
    const b = new Block();
    assert.ok(!b.stateDict().has("scratch"));
    assert.ok(b.stateDict().has("mask"));
    b.loadStateDict(new Block().stateDict());
  });
});

describe("nn.Module toString and call", () => {
  test("prints the tree like PyTorch's repr", () => {
    const seq = new Sequential(new Linear(4, 8), new ReLU(), new Sequential(new LayerNorm(8)));
    assert.equal(seq.toString(), [
      "Sequential(",
      "  (0): Linear(inFeatures=4, outFeatures=8, bias=true)",
      "  (1): ReLU()",
      "  (2): Sequential(",
      "    (0): LayerNorm([8], eps=0.00001, elementwiseAffine=true)",
      "  )",
      ")",
    ].join("\n"));
  });

  test("call(x) is forward(x)", () => {
    const lin = new Linear(3, 2);
    const x = randn([1, 3]);
    assert.deepEqual(lin.call(x).toArray(), lin.forward(x).toArray());
  });

  test("Parameter shares the wrapped tensor's storage and prints as a parameter", () => {
    const t = randn([2]);
    const p = new Parameter(t);
    assert.equal(p.storage, t.storage);
    assert.ok(p.requiresGrad);
    assert.equal(new Parameter(t, false).requiresGrad, false);
    assert.match(p.toString(), /^Parameter containing:\ntensor\(/);
  });
});
