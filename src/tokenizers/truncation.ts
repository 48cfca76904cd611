/** Truncation of an encoding or a pair to a maximum length (HF `truncate_encodings`). */
import { ValueError } from "../errors.js";
import type { Encoding, TruncationDirection } from "./encoding.js";
import { asInteger, asObject, asString, type JsonPath } from "./json.js";

/** Which sequence of a pair loses tokens first when truncating. */
export type TruncationStrategy = "LongestFirst" | "OnlyFirst" | "OnlySecond";

/** Truncation settings: maximum length, strategy, stride of overflowing windows, side. */
export interface TruncationParams {
  maxLength: number;
  /** Tokens shared by consecutive overflowing parts. */
  stride: number;
  strategy: TruncationStrategy;
  direction: TruncationDirection;
}

export const defaultTruncation: TruncationParams = { maxLength: 512, stride: 0, strategy: "LongestFirst", direction: "Right" };

/**
 * Truncates in place. LongestFirst: with a pair, cut the longer one first — if both must shrink, each
 * gets half of `maxLength` (the extra token to the second) — as HF does; OnlyFirst/OnlySecond cut
 * one sequence only and fail if it is too short.
 */
export function truncateEncodings(encoding: Encoding, pair: Encoding | undefined, params: TruncationParams): void {
  const { maxLength, stride, direction } = params;
  if (maxLength === 0) {
    encoding.truncate(0, stride, direction);
    pair?.truncate(0, stride, direction);
    return;
  }
  const total = encoding.length + (pair?.length ?? 0);
  if (total <= maxLength) return;
  const toRemove = total - maxLength;
  if (params.strategy === "LongestFirst") {
    if (!pair) {
      encoding.truncate(maxLength, stride, direction);
      return;
    }
    const swap = encoding.length > pair.length;
    let n1 = Math.min(encoding.length, pair.length);
    let n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    encoding.truncate(n1, stride, direction);
    pair.truncate(n2, stride, direction);
    return;
  }
  const target = params.strategy === "OnlyFirst" ? encoding : pair;
  if (!target) throw new ValueError(`truncation: strategy OnlySecond needs a pair of sequences`);
  if (target.length <= toRemove) {
    throw new ValueError(`truncation: the ${params.strategy === "OnlyFirst" ? "first" : "second"} sequence (${target.length} tokens) is too short to remove ${toRemove}`);
  }
  target.truncate(target.length - toRemove, stride, direction);
}

export function truncationToJSON(p: TruncationParams): Record<string, unknown> {
  return { direction: p.direction, max_length: p.maxLength, strategy: p.strategy, stride: p.stride };
}

export function truncationFromJSON(json: unknown, at: JsonPath): TruncationParams {
  const o = asObject(json, at);
  const strategy = asString(o["strategy"], at.key("strategy"));
  if (strategy !== "LongestFirst" && strategy !== "OnlyFirst" && strategy !== "OnlySecond") {
    throw at.key("strategy").error(`expected LongestFirst, OnlyFirst or OnlySecond, got "${strategy}"`);
  }
  const direction = o["direction"] === undefined ? "Right" : asString(o["direction"], at.key("direction"));
  if (direction !== "Left" && direction !== "Right") throw at.key("direction").error(`expected Left or Right, got "${direction}"`);
  return {
    maxLength: asInteger(o["max_length"], at.key("max_length")),
    stride: asInteger(o["stride"], at.key("stride")),
    strategy,
    direction,
  };
}
