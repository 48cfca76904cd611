/** The functional API of differentiable ops. Importing this module also installs the Tensor methods. */
import "./methods.js";

export * from "./arithmetic.js";
export * from "./unary.js";
export * from "./reduce.js";
export * from "./softmax.js";
export { matmul, bmm, linear, addmm } from "./matmul.js";
export * from "./views.js";
export { to } from "./cast.js";
export * from "./join.js";
export * from "./gather.js";
export * from "./where.js";
export * from "./triangular.js";
export * from "./clamp.js";
export * from "./flip.js";
export * from "./repeat.js";
export { needsGrad, record, type TensorOrScalar } from "./record.js";
