/**
 * Typed reading of tokenizer.json values. Every reader takes a `JsonPath` (file + field) so that a
 * malformed file fails with a `FormatError` naming both, e.g. `tokenizer.json: model.merges[3]: ...`.
 */
import { FormatError } from "../errors.js";

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Where a value sits in a JSON file (file and field path), for `FormatError`s that name both. */
export class JsonPath {
  constructor(
    readonly file: string,
    readonly field: string,
  ) {}

  key(k: string): JsonPath {
    return new JsonPath(this.file, this.field ? `${this.field}.${k}` : k);
  }

  index(i: number): JsonPath {
    return new JsonPath(this.file, `${this.field}[${i}]`);
  }

  error(detail: string): FormatError {
    return new FormatError(this.file, this.field || "(root)", detail);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

export function asObject(v: unknown, at: JsonPath): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw at.error(`expected an object, got ${describe(v)}`);
  return v as JsonObject;
}

export function asArray(v: unknown, at: JsonPath): JsonValue[] {
  if (!Array.isArray(v)) throw at.error(`expected an array, got ${describe(v)}`);
  return v as JsonValue[];
}

export function asString(v: unknown, at: JsonPath): string {
  if (typeof v !== "string") throw at.error(`expected a string, got ${describe(v)}`);
  return v;
}

export function asNumber(v: unknown, at: JsonPath): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw at.error(`expected a number, got ${describe(v)}`);
  return v;
}

export function asInteger(v: unknown, at: JsonPath): number {
  const n = asNumber(v, at);
  if (!Number.isInteger(n) || n < 0) throw at.error(`expected a non-negative integer, got ${describe(v)}`);
  return n;
}

export function asBoolean(v: unknown, at: JsonPath): boolean {
  if (typeof v !== "boolean") throw at.error(`expected true or false, got ${describe(v)}`);
  return v;
}

export function getObject(obj: JsonObject, key: string, at: JsonPath): JsonObject {
  return asObject(obj[key], at.key(key));
}
export function getArray(obj: JsonObject, key: string, at: JsonPath): JsonValue[] {
  return asArray(obj[key], at.key(key));
}
export function getString(obj: JsonObject, key: string, at: JsonPath): string {
  return asString(obj[key], at.key(key));
}
export function getNumber(obj: JsonObject, key: string, at: JsonPath): number {
  return asNumber(obj[key], at.key(key));
}
export function getInteger(obj: JsonObject, key: string, at: JsonPath): number {
  return asInteger(obj[key], at.key(key));
}
export function getBoolean(obj: JsonObject, key: string, at: JsonPath): boolean {
  return asBoolean(obj[key], at.key(key));
}

/** A field that may be missing or null. */
export function optional<T>(obj: JsonObject, key: string, at: JsonPath, read: (v: unknown, at: JsonPath) => T): T | undefined {
  const v = obj[key];
  return v === undefined || v === null ? undefined : read(v, at.key(key));
}

/**
 * Drops from `obj` the optional keys an older tokenizer.json did not have, so a file read and written
 * back is the same object (HF added fields such as `use_regex` and `ignore_merges` over time).
 */
export function withoutAbsent<T extends Record<string, unknown>>(obj: T, absent: readonly string[] | undefined): T {
  if (!absent || absent.length === 0) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!absent.includes(k)) out[k] = v;
  return out as T;
}

/** The keys of `optionalKeys` missing from `json`. */
export function absentKeys(json: JsonObject, optionalKeys: readonly string[]): string[] {
  return optionalKeys.filter((k) => !(k in json));
}

/** The `"type"` tag of a component. */
export function getType(obj: JsonObject, at: JsonPath): string {
  return getString(obj, "type", at);
}
