/**
 * Tensor printing against PyTorch: test/fixtures/tensor/print.json holds what torch 1.13's str(t)
 * prints for 41 tensors (made by scripts/fixtures/tensor_print.py). loom differs only in names, which
 * are mapped here: `dtype=torch.float64` → `dtype=float64`, torch's int64 → loom's int32 (both the
 * default integer type), `AddBackward0` → `AddBackward`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { arange, getPrintOptions, randn, setPrintOptions, tensor, type DType, type Tensor } from "../../src/index.js";
import { formatFixed, formatScientific } from "../../src/tensor/print.js";

interface PrintCase {
  name: string;
  dtype: DType;
  shape: number[];
  values?: (number | boolean | "nan" | "inf" | "-inf")[];
  formula?: "pattern" | "arange";
  requiresGrad: boolean;
  op: "add" | null;
  expected: string;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/tensor/print.json", import.meta.url), "utf8")) as { cases: PrintCase[] };

function decode(v: number | boolean | string): number | boolean {
  if (v === "nan") return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return v as number | boolean;
}

/** The same values as the fixture script's `pattern`: exact IEEE arithmetic in float64, then the dtype. */
function pattern(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 7919) % 2003) - 1001) / 397);
}

function build(c: PrintCase): Tensor {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const flat = c.formula === "pattern" ? pattern(n) : c.formula === "arange" ? Array.from({ length: n }, (_, i) => i) : (c.values ?? []).map(decode);
  const t = tensor(flat as number[], { dtype: c.dtype }).reshape(...c.shape);
  if (c.requiresGrad) t.requiresGrad = true;
  return c.op === "add" ? t.add(t) : t;
}

function loomNames(torchText: string): string {
  return torchText.replace(/dtype=torch\.int64/g, "dtype=int32").replace(/dtype=torch\./g, "dtype=").replace(/Backward0>/g, "Backward>");
}

test("String(t) prints what PyTorch prints (41 fixture tensors)", () => {
  assert.equal(fixture.cases.length, 41);
  for (const c of fixture.cases) assert.equal(String(build(c)), loomNames(c.expected), c.name);
});

test("console.log shows the same text through util.inspect.custom", () => {
  const t = tensor([[0.48851, 1], [2, 3.5]], { requiresGrad: true });
  const expected = "tensor([[0.4885, 1.0000],\n        [2.0000, 3.5000]], requires_grad=True)";
  assert.equal(t.toString(), expected);
  assert.equal(inspect(t), expected);
  assert.equal(inspect({ weight: t }), `{\n  weight: ${expected.replace(/\n/g, "\n  ")}\n}`);
});

test("a 200×200 tensor prints summarised, in 7 lines (it was 786 KB on one line)", () => {
  const text = String(randn([200, 200]));
  assert.equal(text.split("\n").length, 7);
  assert.ok(text.length < 600, String(text.length));
});

test("views print their own elements (offset and strides)", () => {
  const x = arange(12).reshape(3, 4);
  assert.equal(String(x.transpose(0, 1)), "tensor([[ 0,  4,  8],\n        [ 1,  5,  9],\n        [ 2,  6, 10],\n        [ 3,  7, 11]])");
  assert.equal(String(x.select(0, 1)), "tensor([4, 5, 6, 7])");
});

test("setPrintOptions changes precision, threshold, edge items and sci mode, and returns the previous options", () => {
  const previous = setPrintOptions({ precision: 2 });
  try {
    assert.equal(String(tensor([1.12345])), "tensor([1.12])");
    setPrintOptions({ threshold: 5, edgeItems: 2 });
    assert.equal(String(arange(10)), "tensor([0, 1,  ..., 8, 9])");
    setPrintOptions({ threshold: 1000, edgeItems: 3, sciMode: true });
    assert.equal(String(tensor([1.5, 2])), "tensor([1.50e+00, 2.00e+00])");
  } finally {
    setPrintOptions(previous);
  }
  assert.deepEqual(getPrintOptions(), { precision: 4, threshold: 1000, edgeItems: 3, lineWidth: 80, sciMode: null });
  assert.equal(String(tensor([1.12345])), "tensor([1.1235])");
});

test("number formatting is exact with ties to even, as Python's format", () => {
  assert.equal(formatFixed(0.03125, 4), "0.0312"); // toFixed gives 0.0313
  assert.equal(formatFixed(0.03135, 4), "0.0314"); // not a tie: 0.03135 is a little above in binary
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(-0, 4), "-0.0000");
  assert.equal(formatFixed(-1e-9, 4), "-0.0000");
  assert.equal(formatFixed(1e21, 1), "1000000000000000000000.0");
  assert.equal(formatScientific(1.03125, 4), "1.0312e+00");
  assert.equal(formatScientific(9.99995e-5, 4), "9.9999e-05"); // below the tie in binary
  assert.equal(formatScientific(9.99996e-5, 4), "1.0000e-04"); // rounding carries into a new digit
  assert.equal(formatScientific(1e100, 4), "1.0000e+100");
  assert.equal(formatScientific(5e-324, 4), "4.9407e-324");
  assert.equal(formatScientific(0, 4), "0.0000e+00");
  assert.equal(formatScientific(Number.NaN, 4), "nan");
});
