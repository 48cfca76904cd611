/**
 * Attention analysis: statistics over attention weights (entropy, locality, relative positions, special
 * tokens, punctuation, connections, head similarity), rollout and flow, a head classification, a
 * corpus report, and SVG rendering. Pure functions over {@link AttentionMaps}; no model code here.
 * The Node-only report file writer is in `./report-file.js`, the model-folder loader in `./model-folder.js`.
 */
export * from "./attention-maps.js";
export * from "./token-classes.js";
export * from "./statistics.js";
export * from "./similarity.js";
export * from "./max-flow.js";
export * from "./rollout.js";
export * from "./classify.js";
export * from "./report.js";
export * from "./render.js";
export * from "./capture.js";
export * from "./png.js";
export * from "./depth-plot.js";
export * from "./sample.js";
export * from "./token-labels.js";
