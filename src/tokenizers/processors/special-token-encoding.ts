/** An encoding made only of special tokens (what post-processors insert). */
import { Encoding } from "../encoding.js";

export function specialTokensEncoding(ids: number[], tokens: string[], typeId: number): Encoding {
  const n = ids.length;
  return new Encoding({
    ids: ids.slice(),
    tokens: tokens.slice(),
    offsets: Array.from({ length: n }, (): [number, number] => [0, 0]),
    typeIds: new Array<number>(n).fill(typeId),
    wordIds: new Array<number | null>(n).fill(null),
    specialTokensMask: new Array<number>(n).fill(1),
    attentionMask: new Array<number>(n).fill(1),
    sequenceIds: new Array<number | null>(n).fill(null),
  });
}
