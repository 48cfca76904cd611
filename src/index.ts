/**
 * loom's public API. Namespaces for each layer plus the tensor factory functions at the top level,
 * PyTorch-style: `import { tensor, nn, optim } from "loom"`.
 */
export { version } from "./version.js";
export * from "./errors.js";
