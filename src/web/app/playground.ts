/**
 * The playground: streaming generation in the browser (the model worker), with the sampling settings;
 * the prompt shown as tokens (a colour each, the id on hover), each generated token as it comes, and
 * the most likely next tokens of any step (the latest, or the one clicked).
 */
import type { SamplingSettings, TokenInfo } from "../protocol.js";
import { el, formatNumber, tokenColour, visibleText } from "./dom.js";
import type { ModelWorker } from "./worker-client.js";

const TOP_N = 10;

interface Step {
  readonly token: TokenInfo;
  readonly top: readonly (TokenInfo & { readonly p: number })[];
}

function tokenSpan(token: TokenInfo, index: number, extra: Record<string, string> = {}): HTMLSpanElement {
  return el("span", { class: "token", style: `background:${tokenColour(index)}`, title: `id ${token.id}: ${JSON.stringify(token.text)}`, "data-id": token.id, ...extra }, visibleText(token.text));
}

/** The playground view over a model worker. */
export class Playground {
  private readonly prompt = el("textarea", { rows: 3, "data-testid": "prompt" });
  private readonly output = el("div", { class: "tokens output", "data-testid": "output" });
  private readonly topTable = el("table", { class: "top", "data-testid": "top-k" });
  private readonly info = el("div", { class: "status", "data-testid": "playground-status" });
  private readonly fields = {
    maxNewTokens: el("input", { type: "number", min: 1, max: 2048, value: 60, "data-setting": "maxNewTokens" }),
    temperature: el("input", { type: "number", min: 0, step: 0.1, value: 0.8, "data-setting": "temperature" }),
    topK: el("input", { type: "number", min: 0, value: 40, "data-setting": "topK" }),
    topP: el("input", { type: "number", min: 0, max: 1, step: 0.05, value: 1, "data-setting": "topP" }),
    repetitionPenalty: el("input", { type: "number", min: 1, step: 0.05, value: 1, "data-setting": "repetitionPenalty" }),
    seed: el("input", { type: "number", min: 0, value: 0, "data-setting": "seed" }),
  };
  private readonly generateButton = el("button", { class: "primary", "data-testid": "generate", onclick: () => void this.generate() }, "Generate");
  private readonly stopButton = el("button", { disabled: true, onclick: () => this.stop() }, "Stop");
  private running: number | null = null;
  private steps: Step[] = [];

  constructor(private readonly worker: ModelWorker) {
    this.prompt.value = "We the people";
  }

  /** Builds the view into `root`. */
  mount(root: HTMLElement): void {
    const settings = Object.entries(this.fields).map(([name, input]) => el("label", { class: "setting" }, name, input));
    root.replaceChildren(
      el("section", { class: "panel" },
        el("h2", {}, "Prompt"), this.prompt,
        el("div", { class: "settings" }, ...settings),
        el("div", { class: "buttons" }, this.generateButton, this.stopButton), this.info),
      el("section", { class: "panel wide" }, el("h2", {}, "Text, token by token"), el("p", { class: "hint" }, "Hover a token for its id; click a generated token for the next-token probabilities at its step."), this.output),
      el("section", { class: "panel" }, el("h2", {}, "Next-token probabilities"), this.topTable),
    );
    if (!this.worker.model?.causal) this.info.textContent = this.worker.model ? `${this.worker.model.modelType} is not a causal language model: choose a GPT run to generate` : "loading the model…";
  }

  private settings(): SamplingSettings {
    const n = (input: HTMLInputElement): number => Number(input.value);
    return {
      maxNewTokens: n(this.fields.maxNewTokens), temperature: n(this.fields.temperature), topK: n(this.fields.topK),
      topP: n(this.fields.topP), repetitionPenalty: n(this.fields.repetitionPenalty), seed: n(this.fields.seed),
    };
  }

  private showTop(index: number): void {
    const step = this.steps[index];
    this.output.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
    this.output.querySelector(`[data-step="${index}"]`)?.classList.add("selected");
    if (!step) return;
    this.topTable.replaceChildren(
      el("caption", {}, `step ${index + 1}: chose ${JSON.stringify(step.token.text)}`),
      el("tr", {}, el("th", {}, "token"), el("th", {}, "id"), el("th", {}, "p")),
      ...step.top.map((t) => el("tr", { class: t.id === step.token.id ? "chosen" : "" },
        el("td", {}, visibleText(t.text)), el("td", {}, String(t.id)),
        el("td", {}, el("span", { class: "bar", style: `width:${Math.max(1, t.p * 120)}px` }), ` ${formatNumber(t.p)}`))),
    );
  }

  private async generate(): Promise<void> {
    if (this.running !== null || !this.worker.model) return;
    this.steps = [];
    this.output.replaceChildren();
    this.topTable.replaceChildren();
    this.output.dataset.ids = "[]";
    this.output.dataset.done = "false";
    try {
      const promptTokens = await this.worker.tokenize(this.prompt.value);
      promptTokens.forEach((t, i) => this.output.append(tokenSpan(t, i, { class: "token prompt" })));
      this.generateButton.disabled = true;
      this.stopButton.disabled = false;
      this.info.textContent = "generating…";
      const { id, done } = this.worker.generate({ kind: "generate", prompt: this.prompt.value, settings: this.settings(), topN: TOP_N }, (reply) => {
        const index = this.steps.length;
        this.steps.push({ token: reply.token, top: reply.top });
        const span = tokenSpan(reply.token, promptTokens.length + index, { class: "token generated", "data-step": String(index) });
        span.addEventListener("click", () => this.showTop(index));
        this.output.append(span);
        this.showTop(index);
      });
      this.running = id;
      const { ids, ms } = await done;
      this.output.dataset.ids = JSON.stringify(ids);
      this.info.textContent = `${ids.length} tokens in ${(ms / 1000).toFixed(2)} s (${formatNumber(ids.length / (ms / 1000))} tokens/s), in this browser on loom's ${this.worker.model.backend} backend`;
    } catch (e) {
      this.info.textContent = `error: ${(e as Error).message}`;
    } finally {
      this.running = null;
      this.output.dataset.done = "true";
      this.generateButton.disabled = false;
      this.stopButton.disabled = true;
    }
  }

  private stop(): void {
    if (this.running !== null) this.worker.stop(this.running);
  }
}
