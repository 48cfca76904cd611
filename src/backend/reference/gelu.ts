/**
 * GELU over a contiguous array as a forward/backward pair of pure functions (the kernel shape the
 * fast backends implement), reusing the scalar formulas of ./unary.ts so there is one definition:
 *   "none" (exact):  y = x·Φ(x),  Φ(x) = ½(1 + erf(x/√2));  y' = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)
 *   "tanh":          y = ½x(1 + tanh u),  u = √(2/π)(x + 0.044715x³)            (Hendrycks & Gimpel)
 *                    y' = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
 * The names of the approximations are PyTorch's (`F.gelu(x, approximate="tanh")`).
 */
import type { FloatArray } from "../backend.js";
import { UnaryOp, unaryDerivative, unaryValue } from "./unary.js";

export type GeluApproximation = "none" | "tanh";

/** out[i] = gelu(x[i]) for i < n. */
export function geluForward(out: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
  const op = approximate === "tanh" ? UnaryOp.geluTanh : UnaryOp.gelu;
  for (let i = 0; i < n; i++) out[i] = unaryValue(op, x[i] as number, 0);
}

/** dx[i] = dy[i]·gelu'(x[i]) for i < n (written, not accumulated). */
export function geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, n: number, approximate: GeluApproximation): void {
  const op = approximate === "tanh" ? UnaryOp.geluTanh : UnaryOp.gelu;
  for (let i = 0; i < n; i++) dx[i] = (dy[i] as number) * unaryDerivative(op, x[i] as number, 0, 0);
}
