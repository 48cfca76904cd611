/** Padding of a batch of encodings (HF `pad_encodings`). */
import type { Encoding, PaddingDirection } from "./encoding.js";
import { asInteger, asObject, asString, optional, type JsonPath } from "./json.js";

/** Padding settings: fixed length or the batch's longest, side, pad token and id, multiple-of rounding. */
export interface PaddingParams {
  /** "longest": to the longest encoding of the batch; a number: to that fixed length. */
  length: "longest" | number;
  direction: PaddingDirection;
  padToMultipleOf?: number;
  padId: number;
  padTypeId: number;
  padToken: string;
}

export const defaultPadding: PaddingParams = { length: "longest", direction: "Right", padId: 0, padTypeId: 0, padToken: "[PAD]" };

/** Pads encodings in place to a common length (the longest, or fixed), on the chosen side. */
export function padEncodings(encodings: Encoding[], params: PaddingParams): void {
  if (encodings.length === 0) return;
  let target = params.length === "longest" ? Math.max(...encodings.map((e) => e.length)) : params.length;
  const m = params.padToMultipleOf;
  if (m !== undefined && m > 0 && target % m > 0) target += m - (target % m);
  for (const e of encodings) e.pad(target, params.padId, params.padTypeId, params.padToken, params.direction);
}

export function paddingToJSON(p: PaddingParams): Record<string, unknown> {
  return {
    strategy: p.length === "longest" ? "BatchLongest" : { Fixed: p.length },
    direction: p.direction,
    pad_to_multiple_of: p.padToMultipleOf ?? null,
    pad_id: p.padId,
    pad_type_id: p.padTypeId,
    pad_token: p.padToken,
  };
}

export function paddingFromJSON(json: unknown, at: JsonPath): PaddingParams {
  const o = asObject(json, at);
  const s = o["strategy"];
  let length: "longest" | number;
  if (s === "BatchLongest") length = "longest";
  else length = asInteger(asObject(s, at.key("strategy"))["Fixed"], at.key("strategy").key("Fixed"));
  const direction = asString(o["direction"], at.key("direction"));
  if (direction !== "Left" && direction !== "Right") throw at.key("direction").error(`expected Left or Right, got "${direction}"`);
  return {
    length,
    direction,
    padToMultipleOf: optional(o, "pad_to_multiple_of", at, asInteger),
    padId: asInteger(o["pad_id"], at.key("pad_id")),
    padTypeId: asInteger(o["pad_type_id"], at.key("pad_type_id")),
    padToken: asString(o["pad_token"], at.key("pad_token")),
  };
}
