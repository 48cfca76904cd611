/** The server's JSON API (src/server), typed for the page. */

/** A run as GET /api/runs lists it. */
export interface RunInfo {
  readonly name: string;
  readonly path: string;
  readonly modelType: string | null;
  readonly config: Record<string, unknown> | null;
  readonly hasModel: boolean;
  readonly training: boolean;
}

/** One metrics.jsonl row. */
export type MetricsRow = { readonly step: number } & Readonly<Record<string, number | undefined>>;

/** GETs or POSTs JSON; an error reply becomes an Error with the server's message. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const value = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(value.error ?? `HTTP ${response.status}`);
  return value;
}

/** The runs the server shows. */
export async function fetchRuns(): Promise<RunInfo[]> {
  return (await api<{ runs: RunInfo[] }>("/api/runs")).runs;
}

/** A run's metrics rows so far. */
export async function fetchMetrics(run: string): Promise<MetricsRow[]> {
  return (await api<{ rows: MetricsRow[] }>(`/api/runs/${encodeURIComponent(run)}/metrics`)).rows;
}
