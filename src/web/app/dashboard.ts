/**
 * The training dashboard: loss (training and validation), validation bits per byte, learning rate,
 * tokens per second and gradient norm against step, for the chosen runs side by side; runs that are
 * training update live from the server's metrics events.
 */
import { fetchMetrics, type MetricsRow, type RunInfo } from "./api.js";
import { type ChartSeries, lineChart } from "./chart.js";
import { el, formatNumber } from "./dom.js";
import { downloadSvg, downloadSvgPng } from "./export.js";

const RUN_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

/** The dashboard's charts: which metrics.jsonl field each draws. */
const CHARTS: readonly { id: string; title: string; yLabel: string; fields: readonly { field: string; label: string; dashed?: boolean }[]; logY?: boolean }[] = [
  { id: "loss", title: "loss", yLabel: "nats / token", fields: [{ field: "loss", label: "train" }, { field: "val_loss", label: "validation", dashed: true }] },
  { id: "bpb", title: "validation bits per byte", yLabel: "bits / byte", fields: [{ field: "val_bpb", label: "validation" }] },
  { id: "lr", title: "learning rate", yLabel: "lr", fields: [{ field: "lr", label: "lr" }] },
  { id: "tps", title: "tokens per second", yLabel: "tokens / s", fields: [{ field: "tokens_per_second", label: "tokens/s" }] },
  { id: "grad", title: "gradient norm (before clipping)", yLabel: "‖g‖₂", fields: [{ field: "grad_norm", label: "‖g‖" }], logY: true },
];

/** The dashboard view; `mount` builds it into a container, `dispose` closes its event streams. */
export class Dashboard {
  private readonly rows = new Map<string, MetricsRow[]>();
  private readonly streams = new Map<string, EventSource>();
  private readonly chartsBox = el("div", { class: "charts" });
  private readonly status = el("div", { class: "status", "data-testid": "dashboard-status" });
  private readonly runList = el("div", { class: "run-list" });
  private selected = new Set<string>();
  private redrawPending = false;

  constructor(private readonly runs: readonly RunInfo[], current: string | null) {
    if (current) this.selected.add(current);
    else if (runs[0]) this.selected.add(runs[0].name);
  }

  /** Builds the view into `root` and starts loading. */
  mount(root: HTMLElement): void {
    root.replaceChildren(
      el("section", { class: "panel" }, el("h2", {}, "Runs"), el("p", { class: "hint" }, "Tick runs to compare them; runs that are training update live."), this.runList, this.status),
      this.chartsBox,
    );
    this.runs.forEach((run) => {
      const box = el("input", { type: "checkbox", "data-run": run.name, onchange: (e) => void this.toggle(run.name, (e.target as HTMLInputElement).checked) });
      box.checked = this.selected.has(run.name);
      this.runList.append(el("label", { class: "run" }, box, ` ${run.name} `, el("span", { class: "tag" }, run.modelType ?? "?"), run.training ? el("span", { class: "tag live" }, "training") : ""));
    });
    for (const name of this.selected) void this.open(name);
    this.redraw();
  }

  /** Closes every event stream. */
  dispose(): void {
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
  }

  private async toggle(name: string, on: boolean): Promise<void> {
    if (on) {
      this.selected.add(name);
      await this.open(name);
    } else {
      this.selected.delete(name);
      this.streams.get(name)?.close();
      this.streams.delete(name);
    }
    this.redraw();
  }

  /** Loads a run's rows, then follows its event stream (which starts from the top of metrics.jsonl). */
  private async open(name: string): Promise<void> {
    try {
      this.rows.set(name, await fetchMetrics(name));
    } catch (e) {
      this.status.textContent = `${name}: ${(e as Error).message}`;
      return;
    }
    this.redraw();
    const source = new EventSource(`/api/runs/${encodeURIComponent(name)}/events`);
    let first = true;
    source.addEventListener("metrics", (event) => {
      const rows = JSON.parse((event as MessageEvent<string>).data) as MetricsRow[];
      // The stream's first message repeats the file so far: replace, then append.
      this.rows.set(name, first ? rows : [...(this.rows.get(name) ?? []), ...rows]);
      first = false;
      this.redraw();
    });
    source.addEventListener("reset", () => {
      this.rows.set(name, []);
      first = false;
      this.redraw();
    });
    this.streams.set(name, source);
  }

  private redraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const names = this.runs.map((r) => r.name).filter((n) => this.selected.has(n));
    const many = names.length > 1;
    this.chartsBox.replaceChildren(
      ...CHARTS.map((chart) => {
        const series: ChartSeries[] = [];
        names.forEach((name) => {
          const colour = RUN_COLOURS[this.runs.findIndex((r) => r.name === name) % RUN_COLOURS.length]!;
          for (const f of chart.fields) {
            const points = (this.rows.get(name) ?? []).filter((r) => typeof r[f.field] === "number").map((r) => [r.step, r[f.field]!] as const);
            series.push({ name: many ? `${name} ${f.label}` : f.label, colour: chart.fields.length > 1 && !many ? (f.dashed ? "#d62728" : "#1f77b4") : colour, points, ...(f.dashed ? { dashed: true } : {}) });
          }
        });
        const svg = lineChart({ title: chart.title, yLabel: chart.yLabel, series, ...(chart.logY ? { logY: true } : {}) });
        return el("figure", { class: "chart", "data-chart": chart.id },
          svg,
          el("figcaption", {},
            el("button", { onclick: () => downloadSvg(svg, `${chart.id}.svg`) }, "SVG"),
            el("button", { onclick: () => void downloadSvgPng(svg, `${chart.id}.png`) }, "PNG")));
      }),
    );
    const latest = names.map((name) => {
      const rows = this.rows.get(name) ?? [];
      const last = [...rows].reverse().find((r) => typeof r.loss === "number");
      const val = [...rows].reverse().find((r) => typeof r.val_bpb === "number");
      return `${name}: step ${last?.step ?? 0}, loss ${formatNumber(last?.loss)}, validation ${formatNumber(val?.val_bpb)} bits/byte`;
    });
    this.status.textContent = latest.join(" · ");
    this.status.dataset.rows = String(names.reduce((n, name) => n + (this.rows.get(name)?.length ?? 0), 0));
    this.status.dataset.lastStep = String(Math.max(0, ...names.flatMap((name) => (this.rows.get(name) ?? []).map((r) => r.step))));
  }
}
