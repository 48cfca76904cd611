/**
 * The attention explorer: every attention stack of the loaded model (GPT's decoder, BERT's encoder with
 * [CLS]/[SEP], T5's encoder, decoder and cross-attention) on a text, computed in the model worker.
 * A layer × head grid of thumbnails, a large heatmap of the chosen head (or the layer's mean, or the
 * attention rollout up to that layer), the bertviz-style head view, and the statistics of every head.
 * Everything is drawn on canvases except the head view, so long inputs stay responsive.
 */
import { createAttentionMaps } from "../../analysis/attention-maps.js";
import { headViewSvg } from "../../analysis/render.js";
import { weightRgb } from "../../analysis/png.js";
import type { StackPayload } from "../protocol.js";
import { el, formatNumber, visibleText } from "./dom.js";
import { downloadCanvasPng, downloadSvg, downloadSvgPng } from "./export.js";
import type { ModelWorker } from "./worker-client.js";

type Mode = "head" | "mean" | "rollout";

/** Colour of a weight as CSS (the analysis' white-to-blue ramp). */
function cssColour(weight: number): string {
  const [r, g, b] = weightRgb(weight);
  return `rgb(${r},${g},${b})`;
}

/** Paints a Q × K matrix into a canvas of `size` px square (nearest-neighbour; block maxima when smaller than the matrix). */
function paintThumbnail(canvas: HTMLCanvasElement, matrix: Float32Array, queries: number, keys: number, size: number): void {
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(size, size);
  for (let y = 0; y < size; y++) {
    const q0 = Math.floor((y * queries) / size);
    const q1 = Math.max(q0 + 1, Math.floor(((y + 1) * queries) / size));
    for (let x = 0; x < size; x++) {
      const k0 = Math.floor((x * keys) / size);
      const k1 = Math.max(k0 + 1, Math.floor(((x + 1) * keys) / size));
      let v = 0;
      for (let q = q0; q < q1; q++) for (let k = k0; k < k1; k++) v = Math.max(v, matrix[q * keys + k]!);
      const [r, g, b] = weightRgb(v);
      image.data.set([r, g, b, 255], (y * size + x) * 4);
    }
  }
  context.putImageData(image, 0, 0);
}

/** The explorer view over a model worker. */
export class AttentionExplorer {
  private readonly text = el("textarea", { rows: 2, "data-testid": "attention-text" });
  private readonly target = el("input", { type: "text", placeholder: "T5: decoder input (optional)", "data-testid": "attention-target" });
  private readonly stackSelect = el("select", { "data-testid": "stack", onchange: () => this.select(0, 0) });
  private readonly modeSelect = el("select", { onchange: () => this.drawMain() });
  private readonly grid = el("div", { class: "grid", "data-testid": "head-grid" });
  private readonly heatmap = el("canvas", { class: "heatmap", "data-testid": "heatmap" });
  private readonly tooltip = el("div", { class: "tooltip" });
  private readonly headView = el("div", { class: "head-view", "data-testid": "head-view" });
  private readonly allHeads = el("input", { type: "checkbox", onchange: () => this.drawHeadView() });
  private readonly stats = el("table", { class: "stats", "data-testid": "head-stats" });
  private readonly info = el("div", { class: "status", "data-testid": "attention-status" });
  private stacks: readonly StackPayload[] = [];
  private layer = 0;
  private head = 0;

  constructor(private readonly worker: ModelWorker) {
    this.text.value = "The Congress shall have power to lay and collect taxes, duties, imposts and excises.";
    for (const mode of ["head", "mean", "rollout"] as const) this.modeSelect.append(el("option", { value: mode }, mode === "head" ? "one head" : mode === "mean" ? "mean over heads" : "rollout (Abnar & Zuidema)"));
    this.heatmap.addEventListener("mousemove", (e) => this.hover(e));
    this.heatmap.addEventListener("mouseleave", () => (this.tooltip.style.display = "none"));
  }

  /** Builds the view into `root`. */
  mount(root: HTMLElement): void {
    root.replaceChildren(
      el("section", { class: "panel" },
        el("h2", {}, "Text"), this.text, this.target,
        el("div", { class: "buttons" }, el("button", { class: "primary", "data-testid": "analyze", onclick: () => void this.run() }, "Show attention"),
          el("label", {}, "stack ", this.stackSelect), el("label", {}, "view ", this.modeSelect)),
        this.info),
      el("section", { class: "panel" }, el("h2", {}, "Layers × heads"), el("p", { class: "hint" }, "Rows are layers, columns heads; click one."), this.grid),
      el("section", { class: "panel wide" }, el("h2", {}, "Heatmap"),
        el("div", { class: "buttons" },
          el("button", { onclick: () => void downloadCanvasPng(this.heatmap, `attention-L${this.layer}-H${this.head}.png`) }, "PNG"),
          el("button", { onclick: () => this.downloadHeatmapSvg() }, "SVG")),
        el("div", { class: "heatmap-box" }, this.heatmap, this.tooltip)),
      el("section", { class: "panel" }, el("h2", {}, "Head view"), el("label", {}, this.allHeads, " all heads of the layer"),
        el("div", { class: "buttons" },
          el("button", { onclick: () => this.headViewSvgElement() && downloadSvg(this.headViewSvgElement()!, `head-view-L${this.layer}.svg`) }, "SVG"),
          el("button", { onclick: () => this.headViewSvgElement() && void downloadSvgPng(this.headViewSvgElement()!, `head-view-L${this.layer}.png`) }, "PNG")),
        this.headView),
      el("section", { class: "panel wide" }, el("h2", {}, "Statistics per head"),
        el("p", { class: "hint" }, "Entropy in nats (smoothed as Clark et al. 2019) and against log n; E|i−j| in positions; shares of attention within ±2 positions, to the previous token, itself, the next token, the first token, special tokens and punctuation. Classes: previous-token / positional (≥ 90% of rows' arg-max at one offset), delimiter/sink (≥ 50% on first, special or punctuation keys), broad (entropy ≥ 0.8 log n)."),
        this.stats),
    );
    if (this.stacks.length > 0) this.select(this.layer, this.head);
  }

  private current(): StackPayload | undefined {
    return this.stacks.find((s) => s.kind === this.stackSelect.value) ?? this.stacks[0];
  }

  private async run(): Promise<void> {
    if (!this.worker.model) {
      this.info.textContent = "loading the model…";
      return;
    }
    this.info.textContent = "computing…";
    try {
      const { stacks, ms } = await this.worker.attention(this.text.value, this.target.value || undefined);
      this.stacks = stacks;
      this.stackSelect.replaceChildren(...stacks.map((s) => el("option", { value: s.kind }, s.kind)));
      const s = stacks[0]!;
      this.info.textContent = `${stacks.map((x) => `${x.kind}: ${x.layers} layers × ${x.heads} heads`).join("; ")}; ${s.queries} × ${s.keys} tokens; ${(ms / 1000).toFixed(2)} s in the browser`;
      this.info.dataset.ready = "true";
      this.select(0, 0);
    } catch (e) {
      this.info.textContent = `error: ${(e as Error).message}`;
    }
  }

  private select(layer: number, head: number): void {
    const stack = this.current();
    if (!stack) return;
    this.layer = Math.min(layer, stack.layers - 1);
    this.head = Math.min(head, stack.heads - 1);
    this.modeSelect.querySelector<HTMLOptionElement>('option[value="rollout"]')!.disabled = stack.rollout === null;
    if (stack.rollout === null && this.modeSelect.value === "rollout") this.modeSelect.value = "head";
    this.drawGrid(stack);
    this.drawMain();
    this.drawHeadView();
    this.drawStats(stack);
  }

  private drawGrid(stack: StackPayload): void {
    const size = stack.heads > 8 ? 48 : 72;
    const table = el("table", {}, el("tr", {}, el("th", {}), ...Array.from({ length: stack.heads }, (_, h) => el("th", {}, `H${h}`))));
    for (let l = 0; l < stack.layers; l++) {
      const row = el("tr", {}, el("th", {}, `L${l}`));
      for (let h = 0; h < stack.heads; h++) {
        const canvas = el("canvas", { class: l === this.layer && h === this.head ? "thumb selected" : "thumb", title: `layer ${l}, head ${h}`, "data-layer": l, "data-head": h, onclick: () => this.select(l, h) });
        paintThumbnail(canvas, stack.weights[l]![h]!, stack.queries, stack.keys, size);
        row.append(el("td", {}, canvas));
      }
      table.append(row);
    }
    this.grid.replaceChildren(table);
  }

  /** The matrix the big heatmap shows: one head, the layer's mean over heads, or the rollout up to the layer. */
  private matrix(stack: StackPayload): Float32Array {
    const mode = this.modeSelect.value as Mode;
    if (mode === "rollout" && stack.rollout) return stack.rollout[this.layer]!;
    if (mode === "mean") {
      const out = new Float32Array(stack.queries * stack.keys);
      for (const w of stack.weights[this.layer]!) for (let i = 0; i < out.length; i++) out[i]! += w[i]! / stack.heads;
      return out;
    }
    return stack.weights[this.layer]![this.head]!;
  }

  private layout(stack: StackPayload): { cell: number; left: number; top: number } {
    const n = Math.max(stack.queries, stack.keys);
    const cell = Math.max(2, Math.min(22, Math.floor(720 / n)));
    const labels = cell >= 8;
    return { cell, left: labels ? 90 : 4, top: labels ? 90 : 4 };
  }

  private drawMain(): void {
    const stack = this.current();
    if (!stack) return;
    const m = this.matrix(stack);
    const { cell, left, top } = this.layout(stack);
    const canvas = this.heatmap;
    canvas.width = left + stack.keys * cell + 4;
    canvas.height = top + stack.queries * cell + 4;
    const context = canvas.getContext("2d")!;
    context.fillStyle = "white";
    context.fillRect(0, 0, canvas.width, canvas.height);
    for (let q = 0; q < stack.queries; q++) {
      for (let k = 0; k < stack.keys; k++) {
        context.fillStyle = cssColour(m[q * stack.keys + k]!);
        context.fillRect(left + k * cell, top + q * cell, cell, cell);
      }
    }
    if (left > 4) {
      context.fillStyle = "#222";
      context.font = `${Math.min(12, cell)}px system-ui, sans-serif`;
      context.textAlign = "right";
      stack.queryTokens.forEach((t, q) => context.fillText(visibleText(t).slice(0, 12), left - 4, top + q * cell + cell * 0.75));
      context.save();
      stack.keyTokens.forEach((t, k) => {
        context.save();
        context.translate(left + k * cell + cell * 0.7, top - 4);
        context.rotate(-Math.PI / 2.5);
        context.textAlign = "left";
        context.fillText(visibleText(t).slice(0, 12), 0, 0);
        context.restore();
      });
      context.restore();
    }
    const mode = this.modeSelect.value as Mode;
    canvas.dataset.title = mode === "head" ? `layer ${this.layer}, head ${this.head}` : mode === "mean" ? `layer ${this.layer}, mean over heads` : `rollout through layer ${this.layer}`;
  }

  private hover(event: MouseEvent): void {
    const stack = this.current();
    if (!stack) return;
    const { cell, left, top } = this.layout(stack);
    const rect = this.heatmap.getBoundingClientRect();
    const scale = this.heatmap.width / rect.width;
    const k = Math.floor(((event.clientX - rect.left) * scale - left) / cell);
    const q = Math.floor(((event.clientY - rect.top) * scale - top) / cell);
    if (q < 0 || k < 0 || q >= stack.queries || k >= stack.keys) {
      this.tooltip.style.display = "none";
      return;
    }
    const w = this.matrix(stack)[q * stack.keys + k]!;
    this.tooltip.textContent = `${visibleText(stack.queryTokens[q]!)} (${q}) → ${visibleText(stack.keyTokens[k]!)} (${k}): ${w.toFixed(3)}`;
    this.tooltip.style.display = "block";
    this.tooltip.style.left = `${event.clientX - rect.left + 12}px`;
    this.tooltip.style.top = `${event.clientY - rect.top + 12}px`;
  }

  private downloadHeatmapSvg(): void {
    const stack = this.current();
    if (!stack) return;
    const { cell, left, top } = this.layout(stack);
    const m = this.matrix(stack);
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + stack.keys * cell}" height="${top + stack.queries * cell}">`];
    for (let q = 0; q < stack.queries; q++) for (let k = 0; k < stack.keys; k++) parts.push(`<rect x="${left + k * cell}" y="${top + q * cell}" width="${cell}" height="${cell}" fill="${cssColour(m[q * stack.keys + k]!)}"/>`);
    parts.push("</svg>");
    const doc = new DOMParser().parseFromString(parts.join(""), "image/svg+xml");
    downloadSvg(doc.documentElement as unknown as SVGSVGElement, `attention-L${this.layer}-H${this.head}.svg`);
  }

  private headViewSvgElement(): SVGSVGElement | null {
    return this.headView.querySelector("svg");
  }

  private drawHeadView(): void {
    const stack = this.current();
    if (!stack) return;
    const maps = createAttentionMaps({ weights: stack.weights, keyTokens: stack.keyTokens.map(visibleText), queryTokens: stack.queryTokens.map(visibleText), causal: stack.causal });
    const n = Math.max(stack.queries, stack.keys);
    // Long inputs: fewer, stronger lines keep the drawing light.
    const minWeight = n > 96 ? 0.1 : n > 48 ? 0.05 : 0.01;
    const heads = this.allHeads.checked ? undefined : [this.head];
    const svg = headViewSvg(maps, this.layer, { minWeight, rowHeight: n > 64 ? 12 : 18, ...(heads ? { heads } : {}) });
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    this.headView.replaceChildren(document.importNode(doc.documentElement, true));
    this.headView.dataset.lines = String(this.headView.querySelectorAll("line").length);
  }

  private drawStats(stack: StackPayload): void {
    const f = (x: number): string => formatNumber(x);
    this.stats.replaceChildren(
      el("tr", {}, ...["layer", "head", "class", "entropy", "/ log n", "E|i−j|", "±2", "previous", "self", "next", "first", "special", "punct."].map((t) => el("th", {}, t))),
      ...stack.heads_.map((s) => el("tr", { class: s.layer === this.layer && s.head === this.head ? "selected" : "", "data-class": s.class, onclick: () => this.select(s.layer, s.head) },
        el("td", {}, String(s.layer)), el("td", {}, String(s.head)), el("td", {}, s.class),
        el("td", {}, f(s.entropy)), el("td", {}, f(s.normalizedEntropy)), el("td", {}, f(s.meanDistance)), el("td", {}, f(s.withinWindow)), el("td", {}, f(s.previous)),
        el("td", {}, f(s.self)), el("td", {}, f(s.next)), el("td", {}, f(s.first)), el("td", {}, f(s.special)), el("td", {}, f(s.punctuation)))),
    );
  }
}
