/**
 * SwiGLU (Shazeer 2020, "GLU Variants Improve Transformer"): SiLU(xW) ⊙ (xV). Composed from
 * differentiable ops (linear, silu, mul, slice), so autograd derives its backward.
 */
import { ShapeError } from "../../errors.js";
import { linear, mul, silu } from "../../ops/index.js";
import type { Tensor } from "../../tensor/tensor.js";
import { gatedActivation } from "../layers/activation.js";

/**
 * Two forms:
 *  - `swiglu(x, W, V, bW?, bV?)`: silu(x·Wᵀ + bW) ⊙ (x·Vᵀ + bV), with W and V in Linear's layout
 *    [hidden, in]; gives [..., hidden].
 *  - `swiglu(x)`: the split form on pre-projected input: the last dim (even size 2h) is cut in halves
 *    a = x[..., :h] and b = x[..., h:], giving silu(a) ⊙ b. The first half is the gated (SiLU) one,
 *    so `swiglu(linear(x, cat([W, V])))` equals `swiglu(x, W, V)`. (torch's F.glu gates the other
 *    way round: a ⊙ σ(b).)
 */
export function swiglu(x: Tensor, w?: Tensor, v?: Tensor, biasW: Tensor | null = null, biasV: Tensor | null = null): Tensor {
  if (w === undefined && v === undefined) return gatedActivation(x, "silu");
  if (w === undefined || v === undefined) throw new ShapeError("swiglu: give both W and V, or neither (split form)");
  return mul(silu(linear(x, w, biasW)), linear(x, v, biasV));
}
