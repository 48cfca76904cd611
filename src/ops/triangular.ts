/**
 * triu / tril: keep the upper (j − i ≥ diagonal) or lower (j − i ≤ diagonal) triangle of the last two
 * dims, zero the rest; batched over leading dims. The gradient is masked the same way.
 */
import { ShapeError, ValueError, formatShape } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./record.js";

function triangle(x: Tensor, diagonal: number, upper: boolean): Tensor {
  const name = upper ? "triu" : "tril";
  if (x.ndim < 2) throw new ShapeError(`${name}: expected a tensor with at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new ValueError(`${name}: diagonal must be an integer, got ${diagonal}`);
  const rows = x.shape[x.ndim - 2] ?? 1;
  const cols = x.shape[x.ndim - 1] ?? 1;
  const out = x.toTypedArray();
  const matrices = rows * cols === 0 ? 0 : out.length / (rows * cols);
  for (let b = 0; b < matrices; b++) {
    for (let i = 0; i < rows; i++) {
      const row = (b * rows + i) * cols;
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= diagonal : j - i <= diagonal;
        if (!keep) out[row + j] = 0;
      }
    }
  }
  return record(new Tensor(out, x.shape), name, [x], (g) => [triangle(g, diagonal, upper)]);
}

/** Upper triangle: elements with column − row ≥ diagonal (torch.triu). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, true);
}

/** Lower triangle: elements with column − row ≤ diagonal (torch.tril). */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, false);
}
