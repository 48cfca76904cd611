/**
 * The loom web app's page: a run chooser and four views (dashboard, playground, attention explorer,
 * tokenizer), switched by the URL's hash. The chosen run's model is loaded into the model worker, where
 * loom runs it on the WebAssembly backend.
 */
import { fetchRuns, type RunInfo } from "./api.js";
import { AttentionExplorer } from "./attention.js";
import { Dashboard } from "./dashboard.js";
import { el, formatNumber } from "./dom.js";
import { Playground } from "./playground.js";
import { TokenizerView } from "./tokenizer-view.js";
import { ModelWorker } from "./worker-client.js";

const VIEWS = ["dashboard", "playground", "attention", "tokenizer"] as const;
type View = (typeof VIEWS)[number];
const TITLES: Record<View, string> = { dashboard: "Dashboard", playground: "Playground", attention: "Attention", tokenizer: "Tokenizer" };

async function start(): Promise<void> {
  const root = document.getElementById("app")!;
  const main = el("main", {});
  const modelStatus = el("span", { class: "model-status", "data-testid": "model-status" }, "no model");
  const runSelect = el("select", { "data-testid": "run" });
  const nav = el("nav", {}, ...VIEWS.map((v) => el("a", { href: `#${v}`, "data-view": v }, TITLES[v])));
  root.replaceChildren(el("header", {}, el("h1", {}, "loom"), nav, el("label", {}, "run ", runSelect), modelStatus), main);

  let runs: RunInfo[] = [];
  try {
    runs = await fetchRuns();
  } catch (e) {
    main.replaceChildren(el("p", { class: "error" }, `cannot list the runs: ${(e as Error).message}`));
    return;
  }
  const params = new URLSearchParams(location.search);
  let current = params.get("run") ?? runs.find((r) => r.hasModel)?.name ?? runs[0]?.name ?? null;
  for (const r of runs) runSelect.append(el("option", { value: r.name, selected: r.name === current }, r.name));

  const worker = new ModelWorker();
  const playground = new Playground(worker);
  const explorer = new AttentionExplorer(worker);
  let dashboard: Dashboard | null = null;

  const loadModel = async (): Promise<void> => {
    const run = runs.find((r) => r.name === current);
    if (!run?.hasModel) {
      modelStatus.textContent = run ? "no model yet" : "no run";
      return;
    }
    modelStatus.textContent = `loading ${run.name}…`;
    modelStatus.dataset.state = "loading";
    try {
      const m = await worker.load(run.name);
      modelStatus.textContent = `${m.modelType}, ${formatNumber(m.parameters)} parameters, in this browser (${m.backend} ${m.variant}, ${m.sharedMemory && m.crossOriginIsolated ? "shared memory" : "not isolated"}), ${(m.loadMs / 1000).toFixed(1)} s`;
      modelStatus.dataset.state = "ready";
      // Views that use the model show it now; the dashboard and tokenizer view are left as they are.
      if (main.dataset.view === "playground" || main.dataset.view === "attention") route();
    } catch (e) {
      modelStatus.textContent = `cannot load ${run.name}: ${(e as Error).message}`;
      modelStatus.dataset.state = "error";
    }
  };

  const route = (): void => {
    const view = (VIEWS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as View) : "dashboard";
    nav.querySelectorAll("a").forEach((a) => a.classList.toggle("active", a.dataset.view === view));
    dashboard?.dispose();
    dashboard = null;
    main.dataset.view = view;
    if (view === "dashboard") {
      dashboard = new Dashboard(runs, current);
      dashboard.mount(main);
    } else if (view === "playground") {
      playground.mount(main);
    } else if (view === "attention") {
      explorer.mount(main);
    } else {
      new TokenizerView(runs, current).mount(main);
    }
  };

  runSelect.addEventListener("change", () => {
    current = runSelect.value;
    route();
    void loadModel();
  });
  window.addEventListener("hashchange", route);
  route();
  await loadModel();
}

void start();
