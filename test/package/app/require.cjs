// CommonJS: require("loom") loads the ES module (Node ≥ 20.19 can require() ES modules without top-level await).
// eslint-disable-next-line @typescript-eslint/no-require-imports, no-undef -- this file is CommonJS on purpose
const loom = require("loom");
console.log(JSON.stringify({ version: loom.version, sum: loom.tensor([1, 2, 3]).sum().item() }));
