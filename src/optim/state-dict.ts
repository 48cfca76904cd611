/**
 * The optimiser checkpoint format, PyTorch's `optimizer.state_dict()` layout in camelCase:
 *
 *   {
 *     state: { "0": { step: 10, expAvg: StateBuffer, expAvgSq: StateBuffer }, "3": { … } },
 *     paramGroups: [ { lr: 0.001, betas: [0.9, 0.999], …, params: [0, 1, 2] }, … ],
 *   }
 *
 * Parameters are numbered 0, 1, 2, … across the groups in order (the same numbering as PyTorch), and
 * `state` has an entry only for parameters that have been updated. Per-parameter buffers are
 * `StateBuffer`s — dtype, shape and a typed array — so a checkpoint writer can store them as tensors
 * (for example in safetensors as `state.0.expAvg`). Everything else is plain JSON (numbers, booleans,
 * arrays). `stateDictToJSON` / `stateDictFromJSON` convert to and from a pure-JSON form where each
 * buffer's data is a number array (exact for float32 and float64: JSON numbers are doubles).
 */
import { FormatError, ShapeError, formatShape } from "../errors.js";
import type { FloatDType } from "../tensor/dtype.js";
import { numel, shapesEqual } from "../tensor/shape.js";

export type FloatArray = Float32Array | Float64Array;

/** A per-parameter optimiser buffer (momentum, exponential averages, …) with its dtype and shape. */
export interface StateBuffer {
  dtype: FloatDType;
  shape: number[];
  data: FloatArray;
}

/** One parameter's saved state: step counters as numbers, buffers as StateBuffers, absent buffers as null. */
export type ParamStateDict = Record<string, number | StateBuffer | null>;

/** A parameter group as saved: its hyperparameters plus the indices of its parameters. */
export type SavedParamGroup = Record<string, unknown> & { params: number[] };

/** An optimiser's state as `stateDict()` returns it: per-parameter buffers and the parameter groups' settings, as PyTorch's. */
export interface OptimizerStateDict {
  state: Record<string, ParamStateDict>;
  paramGroups: SavedParamGroup[];
}

/** A copy of `data` as a StateBuffer of the given shape. */
export function toStateBuffer(data: FloatArray, shape: readonly number[]): StateBuffer {
  return { dtype: data instanceof Float32Array ? "float32" : "float64", shape: [...shape], data: data.slice() };
}

/**
 * The values of a saved buffer as a fresh array of `dtype` (PyTorch casts loaded state to the
 * parameter's dtype too), after checking its shape against the parameter's.
 */
export function fromStateBuffer(buffer: StateBuffer, shape: readonly number[], dtype: FloatDType, where: string): FloatArray {
  if (!shapesEqual(buffer.shape, shape)) {
    throw new ShapeError(`loadStateDict: ${where} has shape ${formatShape(buffer.shape)}, but the parameter has shape ${formatShape(shape)}`);
  }
  if (buffer.data.length !== numel(shape)) {
    throw new ShapeError(`loadStateDict: ${where} holds ${buffer.data.length} values, shape ${formatShape(shape)} needs ${numel(shape)}`);
  }
  const out = dtype === "float32" ? new Float32Array(buffer.data.length) : new Float64Array(buffer.data.length);
  out.set(buffer.data);
  return out;
}

export function isStateBuffer(value: unknown): value is StateBuffer {
  return (
    typeof value === "object" && value !== null && "data" in value && "shape" in value &&
    (value.data instanceof Float32Array || value.data instanceof Float64Array) && Array.isArray(value.shape)
  );
}

/** A deep copy of a saved group's hyperparameters (arrays such as `betas` are copied too). */
export function copyGroupValues(group: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(group)) out[key] = Array.isArray(value) ? [...value] : value;
  return out;
}

/** A JSON-ready copy: each StateBuffer's data becomes a plain number array. */
export function stateDictToJSON(sd: OptimizerStateDict): JsonOptimizerStateDict {
  const state: JsonOptimizerStateDict["state"] = {};
  for (const [index, entry] of Object.entries(sd.state)) {
    const out: Record<string, number | JsonStateBuffer | null> = {};
    for (const [key, value] of Object.entries(entry)) {
      out[key] = isStateBuffer(value) ? { dtype: value.dtype, shape: [...value.shape], data: Array.from(value.data) } : value;
    }
    state[index] = out;
  }
  return { state, paramGroups: sd.paramGroups.map((g) => copyGroupValues(g) as SavedParamGroup) };
}

/** A state buffer in JSON form (dtype, shape, values as a list). */
export interface JsonStateBuffer {
  dtype: FloatDType;
  shape: number[];
  data: number[];
}

/** An optimiser state dict in JSON form, for saving without safetensors. */
export interface JsonOptimizerStateDict {
  state: Record<string, Record<string, number | JsonStateBuffer | null>>;
  paramGroups: SavedParamGroup[];
}

/**
 * Reads the JSON form back (for example from `JSON.parse`), checking its structure; `file` names the
 * source in error messages.
 */
export function stateDictFromJSON(json: unknown, file = "optimizer state"): OptimizerStateDict {
  if (typeof json !== "object" || json === null) throw new FormatError(file, "(root)", "expected an object");
  const root = json as Record<string, unknown>;
  const rawState = root.state;
  const rawGroups = root.paramGroups;
  if (typeof rawState !== "object" || rawState === null || Array.isArray(rawState)) {
    throw new FormatError(file, "state", "expected an object keyed by parameter index");
  }
  if (!Array.isArray(rawGroups)) throw new FormatError(file, "paramGroups", "expected an array");
  const state: Record<string, ParamStateDict> = {};
  for (const [index, entry] of Object.entries(rawState as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null) throw new FormatError(file, `state.${index}`, "expected an object");
    const out: ParamStateDict = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const field = `state.${index}.${key}`;
      if (value === null || typeof value === "number") {
        out[key] = value;
      } else if (typeof value === "object" && "data" in value && "shape" in value && "dtype" in value) {
        const { dtype, shape, data } = value as { dtype: unknown; shape: unknown; data: unknown };
        if (dtype !== "float32" && dtype !== "float64") throw new FormatError(file, `${field}.dtype`, `expected "float32" or "float64", got ${JSON.stringify(dtype)}`);
        if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
          throw new FormatError(file, `${field}.shape`, "expected an array of non-negative integers");
        }
        if (!Array.isArray(data) || !data.every((x) => typeof x === "number")) throw new FormatError(file, `${field}.data`, "expected an array of numbers");
        if (data.length !== numel(shape as number[])) {
          throw new FormatError(file, `${field}.data`, `holds ${data.length} values, shape ${formatShape(shape as number[])} needs ${numel(shape as number[])}`);
        }
        out[key] = { dtype, shape: [...(shape as number[])], data: dtype === "float32" ? Float32Array.from(data as number[]) : Float64Array.from(data as number[]) };
      } else {
        throw new FormatError(file, field, "expected a number, null or a buffer { dtype, shape, data }");
      }
    }
    state[index] = out;
  }
  const paramGroups = rawGroups.map((g: unknown, i) => {
    if (typeof g !== "object" || g === null) throw new FormatError(file, `paramGroups.${i}`, "expected an object");
    const params = (g as Record<string, unknown>).params;
    if (!Array.isArray(params) || !params.every((p) => Number.isInteger(p) && p >= 0)) {
      throw new FormatError(file, `paramGroups.${i}.params`, "expected an array of parameter indices");
    }
    return copyGroupValues(g as Record<string, unknown>) as SavedParamGroup;
  });
  return { state, paramGroups };
}

