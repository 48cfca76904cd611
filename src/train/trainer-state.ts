/**
 * Reading `trainer_state.json` strictly: a file that is not JSON, `null`, or a field of the wrong type
 * is a FormatError naming the file and the field, never a SyntaxError or TypeError from deep inside
 * the resume.
 */
import { FormatError } from "../errors.js";
import type { TrainerState } from "./checkpoint.js";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Parses the text of `file` (a trainer_state.json), checking every field the resume reads. */
export function parseTrainerState(text: string, file: string): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, "(root)", `not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new FormatError(file, "(root)", `expected an object, got ${show(raw)}`);
  for (const k of ["step", "totalSteps"] as const) {
    const v = raw[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new FormatError(file, k, `expected an integer ≥ 0, got ${show(v)}`);
  }
  const elapsed = raw.elapsedSeconds;
  if (typeof elapsed !== "number" || !Number.isFinite(elapsed) || elapsed < 0) {
    throw new FormatError(file, "elapsedSeconds", `expected a number ≥ 0, got ${show(elapsed)}`);
  }
  const warm = raw.warmupEndSeconds;
  if (warm !== undefined && warm !== null && (typeof warm !== "number" || !Number.isFinite(warm))) {
    throw new FormatError(file, "warmupEndSeconds", `expected a number or null, got ${show(warm)}`);
  }
  const rng = raw.rng;
  if (!isObject(rng) || !Array.isArray(rng.s) || rng.s.length !== 4 || !rng.s.every((x) => Number.isInteger(x))) {
    throw new FormatError(file, "rng", `expected { "s": [4 integers], "spare": number | null }, got ${show(rng)}`);
  }
  if (rng.spare !== null && (typeof rng.spare !== "number" || !Number.isFinite(rng.spare))) {
    throw new FormatError(file, "rng.spare", `expected a number or null, got ${show(rng.spare)}`);
  }
  const opt = raw.optimizer;
  if (!isObject(opt)) throw new FormatError(file, "optimizer", `expected an object, got ${show(opt)}`);
  if (!Array.isArray(opt.paramGroups) || !opt.paramGroups.every(isObject)) {
    throw new FormatError(file, "optimizer.paramGroups", `expected a list of objects, got ${show(opt.paramGroups)}`);
  }
  if (!isObject(opt.scalars)) throw new FormatError(file, "optimizer.scalars", `expected an object, got ${show(opt.scalars)}`);
  for (const [index, scalars] of Object.entries(opt.scalars)) {
    if (!isObject(scalars) || !Object.values(scalars).every((x) => x === null || typeof x === "number")) {
      throw new FormatError(file, `optimizer.scalars.${index}`, `expected an object of numbers, got ${show(scalars)}`);
    }
  }
  if (!isObject(raw.options)) throw new FormatError(file, "options", `expected an object, got ${show(raw.options)}`);
  const v = raw.validation;
  if (v !== undefined && (!isObject(v) || !["loss", "perplexity", "bitsPerByte", "step"].every((k) => typeof v[k] === "number"))) {
    throw new FormatError(file, "validation", `expected { loss, perplexity, bitsPerByte, step } numbers, got ${show(v)}`);
  }
  const gs = raw.gradScaler;
  if (gs !== undefined && (!isObject(gs) || !["scale", "growthFactor", "backoffFactor", "growthInterval", "growthTracker"].every((k) => typeof gs[k] === "number"))) {
    throw new FormatError(file, "gradScaler", `expected { scale, growthFactor, backoffFactor, growthInterval, growthTracker } numbers, got ${show(gs)}`);
  }
  return raw as unknown as TrainerState;
}
