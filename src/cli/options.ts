/** Parsers for command-line values shared by the commands (commander's argParser callbacks). */
import { InvalidArgumentError } from "commander";

/** "5m", "90s", "1h", "1h30m" or plain seconds → seconds. */
export function parseDuration(value: string): number {
  const plain = Number(value);
  if (value.trim() !== "" && Number.isFinite(plain) && plain > 0) return plain;
  const re = /(\d+(?:\.\d+)?)\s*(h|m|s)/g;
  let total = 0;
  let matched = "";
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : n;
    matched += m[0];
  }
  if (total <= 0 || matched.replace(/\s/g, "") !== value.replace(/\s/g, "")) {
    throw new InvalidArgumentError(`expected a duration like 5m, 90s or 1h30m, got "${value}"`);
  }
  return total;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

export function parseProbability(value: string): number {
  const n = parseNumber(value);
  if (n < 0 || n >= 1) throw new InvalidArgumentError(`expected a probability in [0, 1), got "${value}"`);
  return n;
}
