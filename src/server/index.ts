/** The local web server of `loom serve` and `loom train --serve` (Node-only). */
export { createLoomServer, listen, MAX_TEXT_CHARS, MAX_BODY_BYTES, METRICS_POLL_MS, type LoomServerOptions } from "./server.js";
export { listRuns, findRun, parseMetricsLines, type RunSummary, type RunSources } from "./runs.js";
export { HttpError, ISOLATION_HEADERS } from "./http.js";
