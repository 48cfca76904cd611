/**
 * Shared config.json field validators: every model family reads its config through these, so each
 * error names the file, the field, what was expected and the value found, and size fields are checked
 * against stated limits before anything is allocated (a config is untrusted input: `n_layer: 100000`
 * must be refused, not attempted).
 */
import { FormatError, ValueError } from "../errors.js";

/** One field's rule. Sizes carry an upper limit, stated in the error. */
export type FieldRule =
  | { kind: "size"; max: number }
  | { kind: "nullableSize"; max: number }
  | { kind: "probability" }
  | { kind: "positive" }
  | { kind: "boolean" }
  | { kind: "choice"; values: readonly string[] }
  | { kind: "id"; max: number };

/** The rule of every field of a config `C`, by name. */
export type FieldRules<C> = { readonly [K in keyof C]-?: FieldRule };

function describe(rule: FieldRule): string {
  switch (rule.kind) {
    case "size": return `a positive integer ≤ ${rule.max.toLocaleString("en-US")}`;
    case "nullableSize": return `null or a positive integer ≤ ${rule.max.toLocaleString("en-US")}`;
    case "probability": return "a probability in [0, 1)";
    case "positive": return "a positive number";
    case "boolean": return "true or false";
    case "choice": return `one of ${rule.values.join(", ")}`;
    case "id": return `an integer in [0, ${rule.max})`;
  }
}

function accepts(rule: FieldRule, v: unknown): boolean {
  const isSize = (x: unknown, max: number): boolean => typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= max;
  switch (rule.kind) {
    case "size": return isSize(v, rule.max);
    case "nullableSize": return v === null || isSize(v, rule.max);
    case "probability": return typeof v === "number" && v >= 0 && v < 1;
    case "positive": return typeof v === "number" && v > 0 && Number.isFinite(v);
    case "boolean": return typeof v === "boolean";
    case "choice": return typeof v === "string" && rule.values.includes(v);
    case "id": return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < rule.max;
  }
}

/** Checks every field of `config` against its rule; the first failure is a FormatError naming `file` and the field. */
export function checkFields<C extends object>(config: C, rules: FieldRules<C>, file: string): void {
  for (const key of Object.keys(rules) as (keyof C & string)[]) {
    const rule = rules[key];
    const value = (config as Record<string, unknown>)[key];
    if (!accepts(rule, value)) throw new FormatError(file, key, `expected ${describe(rule)}, got ${JSON.stringify(value)}`);
  }
}

/** Levenshtein distance (insert, delete, substitute: 1 each). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Spelling used to compare names across conventions: `nLayer`, `n_layer` and `N-Layer` all become `nlayer`. */
const fold = (name: string): string => name.toLowerCase().replace(/[_\-\s]/g, "");

/**
 * The valid name closest to `name` (camelCase or snake_case spellings of a field count as equal), or
 * undefined when none is within `maxDistance` edits.
 */
export function nearestName(name: string, valid: readonly string[], maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(fold(name), fold(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= maxDistance ? best : undefined;
}

/** "unknown key "nLayer" (did you mean "n_layer"?)", for errors about a key that is not a field. */
export function unknownKeyMessage(key: string, valid: readonly string[]): string {
  const near = nearestName(key, valid);
  return `unknown key ${JSON.stringify(key)}${near === undefined ? ` (valid keys: ${valid.join(", ")})` : ` (did you mean ${JSON.stringify(near)}?)`}`;
}

/** Rejects every key of `overrides` (a constructor's config) that is not one of `valid`: a typo must not silently fall back to a default. */
export function rejectUnknownKeys(overrides: object, valid: readonly string[], where: string): void {
  for (const key of Object.keys(overrides)) {
    if (!valid.includes(key)) throw new ValueError(`${where}: ${unknownKeyMessage(key, valid)}`);
  }
}

/**
 * Reads the fields of `defaults` from a config.json object: missing optional fields take the default;
 * each of `required` must be present (a config that states no size must not build a default-sized
 * model). Keys the family does not use are allowed (Hugging Face files carry many), except those a few
 * edits from a field, which are taken for misspellings of it and refused.
 */
export function readFields<C extends object>(raw: unknown, defaults: C, file: string, required: readonly (keyof C & string)[] = []): C {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FormatError(file, "(root)", "expected a JSON object");
  const obj = raw as Record<string, unknown>;
  const fields = Object.keys(defaults);
  for (const key of required) {
    if (!(key in obj)) throw new FormatError(file, key, "missing (a config must state the model's sizes)");
  }
  for (const key of Object.keys(obj)) {
    if (fields.includes(key)) continue;
    const near = nearestName(key, fields, 1);
    if (near !== undefined) throw new FormatError(file, key, unknownKeyMessage(key, fields));
  }
  const config = { ...defaults } as Record<string, unknown>;
  for (const key of fields) if (key in obj) config[key] = obj[key];
  return config as C;
}

/** Refuses a model whose parameter count (estimated from its config, before allocating) exceeds `limit`. */
export function checkParameterBudget(parameters: number, limit: number, file: string, field: string): void {
  if (parameters > limit) {
    throw new FormatError(file, field, `the model would hold ${parameters.toExponential(2)} parameters, above the limit of ${limit.toExponential(1)}`);
  }
}
