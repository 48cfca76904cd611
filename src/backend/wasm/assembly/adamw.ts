// One fused Adam/AdamW step over float32 parameters, in place, with the formulas of the reference
// kernel (src/backend/reference/adamw.ts, PyTorch 1.13's single-tensor Adam/AdamW):
//   p ← p·decay  (decay = 1 − lr·λ for AdamW, 1 for Adam);   g ← sign·g + l2·p  (l2 = λ for Adam)
//   m ← β₁m + (1 − β₁)g;   v ← β₂v + (1 − β₂)g²;   v̂ = max(v̂, v) with amsgrad, else v
//   p ← p − stepSize·m / (√v̂ / bc2 + ε),  stepSize = lr/(1 − β₁ᵗ), bc2 = √(1 − β₂ᵗ)
// maxV = 0 when amsgrad is off.
export function adamwStep(
  param: usize, grad: usize, m: usize, v: usize, maxV: usize, n: i32,
  beta1: f32, beta2: f32, eps: f32, stepSize: f32, bc2: f32, decay: f32, l2: f32, sign: f32,
): void {
  const b14 = f32x4.splat(beta1), c14 = f32x4.splat(1 - beta1);
  const b24 = f32x4.splat(beta2), c24 = f32x4.splat(1 - beta2);
  const eps4 = f32x4.splat(eps), step4 = f32x4.splat(stepSize), bc24 = f32x4.splat(bc2);
  const decay4 = f32x4.splat(decay), l24 = f32x4.splat(l2), sign4 = f32x4.splat(sign);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const p0 = v128.load(param + o);
    const g = f32x4.add(f32x4.mul(sign4, v128.load(grad + o)), f32x4.mul(l24, p0));
    const mv = f32x4.add(f32x4.mul(b14, v128.load(m + o)), f32x4.mul(c14, g));
    const vv = f32x4.add(f32x4.mul(b24, v128.load(v + o)), f32x4.mul(c24, f32x4.mul(g, g)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let vh = vv;
    if (maxV != 0) {
      vh = f32x4.max(v128.load(maxV + o), vv);
      v128.store(maxV + o, vh);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vh), bc24), eps4);
    v128.store(param + o, f32x4.sub(f32x4.mul(p0, decay4), f32x4.div(f32x4.mul(step4, mv), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const p0 = load<f32>(param + o);
    const g = sign * load<f32>(grad + o) + l2 * p0;
    const mv = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vv = beta2 * load<f32>(v + o) + (1 - beta2) * g * g;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    let vh = vv;
    if (maxV != 0) {
      vh = max(load<f32>(maxV + o), vv);
      store<f32>(maxV + o, vh);
    }
    store<f32>(param + o, p0 * decay - (stepSize * mv) / (Mathf.sqrt(vh) / bc2 + eps));
  }
}
