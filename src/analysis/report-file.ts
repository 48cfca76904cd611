/**
 * Node-only: writes an attention report to a file. Kept out of `analysis/index.ts` so the browser
 * build of the library does not pull in `node:fs`.
 */
import { writeFileAtomic } from "../io/atomic.js";
import { attentionReportToJson, type AttentionReport } from "./report.js";

/**
 * Writes `report` as JSON (see {@link attentionReportToJson}) to `path`, atomically: a crash midway
 * leaves the old file, never half a report.
 */
export function writeAttentionReport(path: string, report: AttentionReport): void {
  writeFileAtomic(path, attentionReportToJson(report));
}
