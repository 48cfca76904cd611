/** The tokenizer view: any run's tokenizer's segmentation of pasted text (by the server), with the counts. */
import { api, type RunInfo } from "./api.js";
import { el, formatNumber, tokenColour, visibleText } from "./dom.js";

interface Segmentation {
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  specialTokensMask: number[];
  count: number;
  characters: number;
  bytes: number;
}

/** The tokenizer view. */
export class TokenizerView {
  private readonly text = el("textarea", { rows: 5, "data-testid": "tokenizer-text", oninput: () => this.schedule() });
  private readonly runSelect = el("select", { "data-testid": "tokenizer-run", onchange: () => this.schedule() });
  private readonly tokens = el("div", { class: "tokens", "data-testid": "tokenizer-tokens" });
  private readonly counts = el("div", { class: "status", "data-testid": "tokenizer-counts" });
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(runs: readonly RunInfo[], current: string | null) {
    this.text.value = "Mr. Speaker, Mr. President, distinguished Members of the Congress — 2024's État de l'Union 🙂";
    for (const r of runs.filter((x) => x.hasModel)) this.runSelect.append(el("option", { value: r.name, selected: r.name === current }, r.name));
  }

  /** Builds the view into `root`. */
  mount(root: HTMLElement): void {
    root.replaceChildren(
      el("section", { class: "panel" }, el("h2", {}, "Text"), el("label", {}, "tokenizer of ", this.runSelect), this.text, this.counts),
      el("section", { class: "panel wide" }, el("h2", {}, "Tokens"), el("p", { class: "hint" }, "Hover a token for its id and vocabulary entry."), this.tokens),
    );
    void this.update();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), 150);
  }

  private async update(): Promise<void> {
    const run = this.runSelect.value;
    if (!run) {
      this.counts.textContent = "no run with a tokenizer";
      return;
    }
    try {
      const s = await api<Segmentation>(`/api/runs/${encodeURIComponent(run)}/tokenize`, { text: this.text.value });
      const text = this.text.value;
      this.tokens.replaceChildren(...s.ids.map((id, i) => {
        const [a, b] = s.offsets[i]!;
        const piece = s.specialTokensMask[i] ? s.tokens[i]! : text.slice(a, b) || s.tokens[i]!;
        return el("span", { class: "token", style: `background:${tokenColour(i)}`, title: `id ${id}: ${JSON.stringify(s.tokens[i])}`, "data-id": id }, visibleText(piece));
      }));
      this.counts.textContent = `${s.count} tokens · ${s.characters} characters · ${s.bytes} bytes · ${formatNumber(s.characters / Math.max(1, s.count))} characters per token`;
      this.counts.dataset.count = String(s.count);
    } catch (e) {
      this.counts.textContent = `error: ${(e as Error).message}`;
    }
  }
}
