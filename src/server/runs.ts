/**
 * The runs a server shows: folders named one by one (`--run`, the folder `loom train --serve` is
 * writing, which may not exist yet) and every sub-folder holding a config.json of the folders named as
 * collections (`--runs`). Looked up again on each request, so runs that appear while it serves show
 * up. A run is addressed by its name (the folder's base name, made unique), never by a path from the
 * request, so no request can reach a file outside the runs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { LOCK_FILE } from "../train/run-folder.js";
import { HttpError } from "./http.js";

/** One run as the API lists it. */
export interface RunSummary {
  /** Unique name in the server's list; the API's handle. */
  readonly name: string;
  /** The folder. */
  readonly path: string;
  /** config.json's model_type, or null before the run has written one. */
  readonly modelType: string | null;
  /** config.json, or null before the run has written one. */
  readonly config: Record<string, unknown> | null;
  /** Whether model.safetensors and tokenizer.json are there (the browser can load the model). */
  readonly hasModel: boolean;
  /** Whether a `loom train` holds the folder's lock now (training live). */
  readonly training: boolean;
}

/** Where the runs come from. */
export interface RunSources {
  /** Run folders named one by one (may not exist yet). */
  readonly runs?: readonly string[];
  /** Folders whose sub-folders with a config.json are runs. */
  readonly collections?: readonly string[];
}

function readConfig(dir: string): Record<string, unknown> | null {
  const file = join(dir, "config.json");
  if (!existsSync(file)) return null;
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  } catch {
    return null; // written by hand and broken, or caught mid-write: shown without a config
  }
}

/** The runs of `sources`, in order (named runs first), each with a unique name. */
export function listRuns(sources: RunSources): RunSummary[] {
  const folders: string[] = [...(sources.runs ?? []).map((r) => resolve(r))];
  for (const parent of sources.collections ?? []) {
    if (!existsSync(parent) || !statSync(parent).isDirectory()) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = resolve(parent, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, "config.json")) && !folders.includes(dir)) folders.push(dir);
    }
  }
  const used = new Set<string>();
  return folders.map((path) => {
    const base = basename(path) || "run";
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    const config = readConfig(path);
    const modelType = typeof config?.model_type === "string" ? config.model_type : null;
    return {
      name,
      path,
      modelType,
      config,
      hasModel: existsSync(join(path, "model.safetensors")) && existsSync(join(path, "tokenizer.json")),
      training: existsSync(join(path, LOCK_FILE)),
    };
  });
}

/** The run called `name`. @throws HttpError 404 naming the runs there are. */
export function findRun(sources: RunSources, name: string): RunSummary {
  const runs = listRuns(sources);
  const run = runs.find((r) => r.name === name);
  if (!run) throw new HttpError(404, `unknown run ${JSON.stringify(name)} (runs: ${runs.map((r) => r.name).join(", ") || "none"})`);
  return run;
}

/**
 * The complete rows of a metrics.jsonl text (a torn last line without its newline is left for later;
 * a line that is not JSON is skipped, as the dashboard cannot draw it).
 */
export function parseMetricsLines(text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const line of text.split("\n").slice(0, -1)) {
    if (line.trim() === "") continue;
    try {
      const row = JSON.parse(line) as unknown;
      if (typeof row === "object" && row !== null && typeof (row as { step?: unknown }).step === "number") rows.push(row as Record<string, unknown>);
    } catch {
      continue;
    }
  }
  return rows;
}
