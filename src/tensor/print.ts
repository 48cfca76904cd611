/**
 * Tensor printing as PyTorch does it (`torch/_tensor_str.py`): `tensor([[0.4885, 1.0000], …],
 * requires_grad=True)`. One formatter per tensor picks a common style from the values it will show
 * (whole numbers as `1.`, fixed `0.4885`, or scientific `1.0000e-05`) and pads every element to one
 * width; rows wrap at the line width; past `threshold` elements each dimension shows only its first
 * and last `edgeItems` entries around `...`. Numbers are rounded exactly, half to even, as Python's
 * `format` does, so a float32 prints the digits of its own value. Browser-safe: no Node imports.
 *
 * Where loom differs from PyTorch: dtype names are loom's (`dtype=float64`, not `torch.float64`);
 * int32, loom's integer type, is a default dtype as torch's int64 is; grad_fn names are loom's op
 * names (`grad_fn=<AddBackward>`).
 */
import type { DType } from "./dtype.js";
import { fromBFloat16Bits, fromFloat16Bits } from "../io/half.js";

/** Settings of tensor printing, as `torch.set_printoptions`. */
export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** Above this many elements a tensor is summarised with `...` (default 1000). */
  threshold: number;
  /** Entries shown at each end of a summarised dimension (default 3). */
  edgeItems: number;
  /** Characters per line before rows wrap (default 80). */
  lineWidth: number;
  /** Force (true) or forbid (false) scientific notation; null picks it from the values (default). */
  sciMode: boolean | null;
}

/** PyTorch's defaults. */
export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({ precision: 4, threshold: 1000, edgeItems: 3, lineWidth: 80, sciMode: null });

let current: PrintOptions = { ...DEFAULT_PRINT_OPTIONS };

/**
 * Changes how tensors print, for every later `String(t)` / `console.log(t)` (as `torch.set_printoptions`);
 * fields left out keep their value. Returns the previous options, so a caller can restore them.
 * @example setPrintOptions({ precision: 2 }); String(tensor([1.12345])) // "tensor([1.12])"
 */
export function setPrintOptions(options: Partial<PrintOptions>): PrintOptions {
  const previous = current;
  current = { ...current, ...options };
  return previous;
}

/** The options tensors print with now. */
export function getPrintOptions(): PrintOptions {
  return { ...current };
}

/** What printing needs of a tensor (structural, so this file does not import the Tensor class). */
export interface PrintableTensor {
  readonly storage: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly requiresGrad: boolean;
  readonly gradFn: { readonly name: string } | null;
}

const DEFAULT_DTYPES: readonly DType[] = ["float32", "int32", "bool"];

/** The whole text PyTorch's `str(t)` gives, with loom's dtype and op names. */
export function formatTensor(t: PrintableTensor, options: PrintOptions = current): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const size = t.shape.reduce((a, b) => a * b, 1);
  const suffixes: string[] = [];
  let body: string;
  if (size === 0) {
    // An empty tensor has no values that could show its dtype, so any but float32 is noted.
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=${t.dtype}`);
    body = "[]";
  } else {
    if (!DEFAULT_DTYPES.includes(t.dtype)) suffixes.push(`dtype=${t.dtype}`);
    body = formatData(t, indent, options);
  }
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${backwardName(t.gradFn.name)}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent, options.lineWidth);
}

/** "add" → "AddBackward", "crossEntropy" → "CrossEntropyBackward". */
function backwardName(op: string): string {
  return `${op.charAt(0).toUpperCase()}${op.slice(1)}Backward`;
}

/** Appends `, suffix` to the last line, or on a new line when it would pass the line width (torch's `_add_suffixes`). */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, lineWidth: number): string {
  // torch measures the last line as len − rfind("\n") + 1, which counts two extra characters.
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > lineWidth) {
      out += `,\n${" ".repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/** Indices shown along a dimension of `size`: all, or the edges when summarising (null marks the `...`). */
function shownIndices(size: number, summarize: boolean, edgeItems: number): (number | null)[] {
  if (summarize && size > 2 * edgeItems) {
    const head = Array.from({ length: edgeItems }, (_, i) => i);
    const tail = Array.from({ length: edgeItems }, (_, i) => size - edgeItems + i);
    return [...head, null, ...tail];
  }
  return Array.from({ length: size }, (_, i) => i);
}

function formatData(t: PrintableTensor, indent: number, options: PrintOptions): string {
  const size = t.shape.reduce((a, b) => a * b, 1);
  const summarize = size > options.threshold;
  const read = (at: number): number => (t.dtype === "float16" ? fromFloat16Bits(t.storage[at] ?? 0) : t.dtype === "bfloat16" ? fromBFloat16Bits(t.storage[at] ?? 0) : (t.storage[at] ?? 0));
  // The formatter sees exactly the values that will be printed (torch's get_summarized_data).
  const shown: number[] = [];
  const collect = (dim: number, base: number): void => {
    if (dim === t.shape.length) {
      shown.push(read(base));
      return;
    }
    for (const i of shownIndices(t.shape[dim] ?? 0, summarize, options.edgeItems)) {
      if (i !== null) collect(dim + 1, base + i * (t.strides[dim] ?? 0));
    }
  };
  collect(0, t.offset);
  const formatter = makeFormatter(shown, t.dtype, options);
  if (t.shape.length === 0) return formatter.format(read(t.offset));

  const render = (dim: number, base: number, indentHere: number): string => {
    const stride = t.strides[dim] ?? 0;
    const indices = shownIndices(t.shape[dim] ?? 0, summarize, options.edgeItems);
    if (dim === t.shape.length - 1) {
      // Elements per line: the line width less the indent, over the element width plus ", ".
      const perLine = Math.max(1, Math.floor((options.lineWidth - indentHere) / (formatter.width + 2)));
      const items = indices.map((i) => (i === null ? " ..." : formatter.format(read(base + i * stride))));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return `[${lines.join(`,\n${" ".repeat(indentHere + 1)}`)}]`;
    }
    const rows = indices.map((i) => (i === null ? "..." : render(dim + 1, base + i * stride, indentHere + 1)));
    const remaining = t.shape.length - dim;
    return `[${rows.join(`,${"\n".repeat(remaining - 1)}${" ".repeat(indentHere + 1)}`)}]`;
  };
  return render(0, t.offset, indent);
}

interface Formatter {
  readonly width: number;
  format(value: number): string;
}

/** torch's `_Formatter`: one style and one width for all the values a tensor shows. */
function makeFormatter(values: readonly number[], dtype: DType, options: PrintOptions): Formatter {
  const { precision } = options;
  const pad = (text: string, width: number): string => text.padStart(width);
  if (dtype === "bool" || dtype === "int32") {
    const text = dtype === "bool" ? (v: number) => (v !== 0 ? "True" : "False") : (v: number) => String(v);
    const width = values.reduce((w, v) => Math.max(w, text(v).length), 1);
    return { width, format: (v) => pad(text(v), width) };
  }
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sciMode = false;
  let width = 1;
  if (finite.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
    }
    intMode = finite.every((v) => Number.isInteger(v));
    // torch's rule: scientific when the magnitudes span more than 10³, pass 10⁸, or (for fractions) fall below 10⁻⁴.
    sciMode = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of finite) {
      const text = sciMode ? formatScientific(v, precision) : intMode ? `${formatFixed(v, 0)}.` : formatFixed(v, precision);
      width = Math.max(width, text.length);
    }
    // Inside the branch, as in torch: with no finite non-zero value the forced mode does not apply.
    if (options.sciMode !== null) sciMode = options.sciMode;
  }
  return {
    width,
    format: (v) => {
      if (sciMode) return pad(formatScientific(v, precision), width);
      if (intMode) return pad(Number.isFinite(v) ? `${formatFixed(v, 0)}.` : formatFixed(v, 0), width);
      return pad(formatFixed(v, precision), width);
    },
  };
}

/** Non-finite values as Python writes them. */
function nonFinite(v: number): string {
  return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

/** |v| = mantissa · 2^exponent exactly (v finite). */
function decompose(v: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  return biased === 0 ? { mantissa: fraction, exponent: -1074 } : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** round(|v| · 10^scale), ties to even, computed exactly in integers. */
function roundScaled(v: number, scale: number): bigint {
  const { mantissa, exponent } = decompose(v);
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator *= 10n ** BigInt(-scale);
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

function sign(v: number): string {
  return v < 0 || Object.is(v, -0) ? "-" : "";
}

/** Python's `"{:.Nf}".format(v)`: exact, ties to even (JavaScript's toFixed rounds ties away from zero). */
export function formatFixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const text = roundScaled(v, digits).toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  return digits === 0 ? `${sign(v)}${whole}` : `${sign(v)}${whole}.${text.slice(text.length - digits)}`;
}

/** Python's `"{:.Ne}".format(v)`: `1.2346e-05`, exponent of at least two digits, ties to even. */
export function formatScientific(v: number, digits: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  let exponent = 0;
  let scaled = 0n;
  if (v !== 0) {
    exponent = Math.floor(Math.log10(Math.abs(v)));
    const low = 10n ** BigInt(digits);
    const high = low * 10n;
    scaled = roundScaled(v, digits - exponent);
    // log10 can be off by one near powers of ten, and rounding can carry into a new digit.
    if (scaled >= high) scaled = roundScaled(v, digits - ++exponent);
    else if (scaled < low) scaled = roundScaled(v, digits - --exponent);
    if (scaled >= high) scaled = roundScaled(v, digits - ++exponent);
  }
  const text = scaled.toString().padStart(digits + 1, "0");
  const mantissa = digits === 0 ? text : `${text[0]}.${text.slice(1)}`;
  const e = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return `${sign(v)}${mantissa}e${e}`;
}
