export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./grad-mode.js";
export { Node, type BackwardRule } from "./node.js";
export type { BackwardOptions } from "./engine.js";
export { checkpoint } from "./checkpoint.js";
export { autocast, autocastDType, type AutocastDType, type AutocastOptions } from "./autocast.js";
