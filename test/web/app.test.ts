// The web app in a real browser: Debian's Chromium driven by playwright-core, against `loom serve`'s
// server over a freshly trained run. Skipped, with a message, only where no Chromium can be found
// (CI installs it: .ci/run). Screenshots go to docs/images/ when LOOM_SCREENSHOTS=docs, else to a
// temporary folder (so an ordinary test run leaves the repository as it was). LOOM_WEB_RUN=DIR uses
// an existing GPT run folder (e.g. `npm start`'s runs/sotu) instead of training a small one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { readCorpus } from "../../src/data/corpus.js";
import { resolveSettings, runTraining } from "../../src/train/run.js";
import { createLoomServer, listen } from "../../src/server/index.js";
import { openModelFolder } from "../../src/analysis/model-folder.js";
import { generate } from "../../src/generate/index.js";
import { END_OF_TEXT } from "../../src/generate/text.js";
import type { CausalLanguageModel } from "../../src/generate/language-model.js";
import { getBackend, setBackend, WasmBackend } from "../../src/backend/index.js";
import type { KernelVariant } from "../../src/backend/wasm/index.js";
import { bertFolder, t5Folder } from "./model-folders.js";

const root = new URL("../../", import.meta.url).pathname;
const CHROMIUM_PATHS = [process.env.LOOM_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].filter((p): p is string => !!p);
const chromiumPath = CHROMIUM_PATHS.find((p) => existsSync(p));
const skip = chromiumPath === undefined ? `no Chromium found (looked at ${CHROMIUM_PATHS.join(", ")}; set LOOM_CHROMIUM or install the chromium package)` : false;
if (skip) console.log(`# test/web skipped: ${skip}`);

const quiet = { log: () => {}, progress: { update() {}, log() {}, stop() {} } };
const SETTINGS = { maxNewTokens: 24, temperature: 0.8, topK: 40, topP: 0.95, repetitionPenalty: 1, seed: 7 };
const PROMPT = "We the people of the";

function train(out: string, data: string, steps: number, seed: number, heads: number): Promise<unknown> {
  return runTraining(resolveSettings("tiny", {
    data, tokenizer: "bpe:320", out, seed,
    model: { n_layer: 2, n_head: heads, n_embd: 32, n_positions: 64 },
    train: { steps, batchSize: 8, blockSize: 64, evalBlocks: 4, evalInterval: Math.max(1, Math.floor(steps / 4)), checkpointInterval: 0, logInterval: 1, warmupSteps: 4, lr: 1e-2, minLr: 1e-3 },
  }), quiet);
}

describe("web app in Chromium", { skip }, () => {
  let dir = "";
  let run = "";
  let runName = "";
  let layers = 0;
  let heads = 0;
  let live = "";
  let data = "";
  let server: Server;
  let base = "";
  let browser: Browser;
  let page: Page;
  const shots = process.env.LOOM_SCREENSHOTS === "docs" ? join(root, "docs", "images") : mkdtempSync(join(tmpdir(), "loom-shots-"));

  before(async () => {
    // The bundle is built from the current sources (esbuild, about a second).
    const built = spawnSync(process.execPath, [join(root, "scripts", "build-steps", "30-web.mjs")], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stderr);
    dir = mkdtempSync(join(tmpdir(), "loom-web-"));
    data = join(dir, "text.txt");
    writeFileSync(data, readCorpus().slice(0, 3).map((d) => d.text).join("\n"));
    live = join(dir, "live-run");
    if (process.env.LOOM_WEB_RUN) {
      run = process.env.LOOM_WEB_RUN;
    } else {
      run = join(dir, "sotu-gpt");
      await train(run, data, 120, 1, 4);
    }
    runName = basename(run);
    ({ n_layer: layers, n_head: heads } = JSON.parse(readFileSync(join(run, "config.json"), "utf8")) as { n_layer: number; n_head: number });
    server = createLoomServer({ runs: [run, live, bertFolder(join(dir, "bert-tiny")), t5Folder(join(dir, "t5-tiny"))] });
    base = await listen(server, 0, "127.0.0.1");
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      headless: true,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-sync", "--no-first-run", "--disable-extensions", "--metrics-recording-only", "--disable-dev-shm-usage", "--mute-audio"],
    });
    page = await browser.newPage({ viewport: { width: 1180, height: 820 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    (page as unknown as { loomErrors: string[] }).loomErrors = errors;
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.LOOM_SCREENSHOTS !== "docs") rmSync(shots, { recursive: true, force: true });
  });

  test("the page is cross-origin isolated and loads the model into the worker (wasm, shared memory)", async () => {
    await page.goto(`${base}?run=${runName}#playground`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 30_000 });
    assert.match(await page.textContent('[data-testid="model-status"]') ?? "", /gpt2, .* parameters, in this browser \(wasm .*shared memory/);
  });

  test("playground: in-browser generation equals Node's tokens for the same seed; top-k per step", async () => {
    await page.fill('[data-testid="prompt"]', PROMPT);
    for (const [name, value] of Object.entries(SETTINGS)) await page.fill(`[data-setting="${name}"]`, String(value));
    await page.click('[data-testid="generate"]');
    await page.waitForSelector('[data-testid="output"][data-done="true"]', { timeout: 60_000 });
    const browserIds = JSON.parse((await page.getAttribute('[data-testid="output"]', "data-ids"))!) as number[];
    assert.ok(browserIds.length > 0);
    // Node: the same library on the same wasm kernels (the build the browser chose), one thread.
    const variant = /wasm (relaxed-simd|simd)/.exec((await page.textContent('[data-testid="model-status"]'))!)![1] as KernelVariant;
    const previous = getBackend();
    setBackend(new WasmBackend({ threads: 1, variant }));
    try {
      const { model, tokenizer } = openModelFolder(run);
      const eot = tokenizer.tokenToId(END_OF_TEXT)!;
      const nodeIds = generate(model as unknown as CausalLanguageModel, tokenizer.encodeIds(PROMPT, { addSpecialTokens: false }), { ...SETTINGS, stopIds: [eot] });
      assert.deepEqual(browserIds, nodeIds);
    } finally {
      setBackend(previous);
    }
    const promptTokens = await page.locator('[data-testid="output"] .token.prompt').count();
    assert.ok(promptTokens > 0);
    assert.equal(await page.locator('[data-testid="output"] .token.generated').count(), browserIds.length);
    assert.equal(await page.locator('[data-testid="top-k"] tr').count(), 11); // header + 10 tokens
    assert.match((await page.getAttribute('[data-testid="output"] .token.prompt', "title"))!, /^id \d+: /);
    await page.screenshot({ path: join(shots, "playground.png") });
  });

  test("attention explorer: grid, heatmap, head view and statistics render", async () => {
    await page.goto(`${base}?run=${runName}#attention`);
    await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 30_000 });
    await page.click('[data-testid="analyze"]');
    await page.waitForSelector('[data-testid="attention-status"][data-ready="true"]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="head-grid"] canvas').count(), layers * heads);
    assert.equal(await page.locator('[data-testid="head-stats"] tr').count(), 1 + layers * heads);
    const inked = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="heatmap"]')!;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      // Weight colours run from white to dark blue (blue ≥ red); count the cells' pixels that are not white.
      let coloured = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 250 && pixels[i + 2]! >= pixels[i]! && pixels[i + 2]! > pixels[i + 1]!) coloured++;
      return { coloured, total: pixels.length / 4 };
    });
    // A causal map colours the cells on and below the diagonal: about half of the matrix, less the label margins.
    assert.ok(inked.coloured > inked.total * 0.2, `heatmap has ${inked.coloured} of ${inked.total} pixels in the weight colours`);
    assert.ok(Number(await page.getAttribute('[data-testid="head-view"]', "data-lines")) > 0);
    // Another head and the rollout view redraw without error.
    await page.click(`[data-testid="head-grid"] canvas[data-layer="${layers - 1}"][data-head="${heads - 1}"]`);
    await page.selectOption("select:not([data-testid])", "rollout");
    assert.equal(await page.getAttribute('[data-testid="heatmap"]', "data-title"), `rollout through layer ${layers - 1}`);
    await page.selectOption("select:not([data-testid])", "head");
    const [heatmapPng] = await Promise.all([page.waitForEvent("download"), page.click('button:text("PNG") >> nth=0')]);
    assert.equal(heatmapPng.suggestedFilename(), `attention-L${layers - 1}-H${heads - 1}.png`);
    assert.deepEqual([...readFileSync((await heatmapPng.path())!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    await page.screenshot({ path: join(shots, "attention.png") });
  });

  test("attention explorer: BERT's encoder with [CLS]/[SEP], T5's encoder, decoder and cross-attention", async () => {
    await page.goto(`${base}?run=bert-tiny#attention`);
    await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 30_000 });
    await page.fill('[data-testid="attention-text"]', "the quick brown fox jumps over the lazy dog.");
    await page.click('[data-testid="analyze"]');
    await page.waitForSelector('[data-testid="attention-status"][data-ready="true"]', { timeout: 30_000 });
    assert.deepEqual(await page.locator('[data-testid="stack"] option').allTextContents(), ["encoder"]);
    assert.equal(await page.locator('[data-testid="head-grid"] canvas').count(), 2 * 2);
    const labels = await page.locator('[data-testid="head-view"] text').allTextContents();
    assert.ok(labels.includes("[CLS]") && labels.includes("[SEP]"), labels.join(" "));

    await page.goto(`${base}?run=t5-tiny#attention`);
    await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 30_000 });
    await page.fill('[data-testid="attention-text"]', "the cat sat on the mat");
    await page.fill('[data-testid="attention-target"]', "le chat");
    await page.click('[data-testid="analyze"]');
    await page.waitForSelector('[data-testid="attention-status"][data-ready="true"]', { timeout: 30_000 });
    assert.deepEqual(await page.locator('[data-testid="stack"] option').allTextContents(), ["encoder", "decoder", "cross"]);
    await page.selectOption('[data-testid="stack"]', "cross");
    assert.equal(await page.locator('[data-testid="head-grid"] canvas').count(), 3 * 2);
    assert.equal(await page.locator('[data-testid="head-stats"] tr').count(), 1 + 3 * 2);
    const cross = await page.locator('[data-testid="head-view"] text').allTextContents();
    assert.ok(cross.includes("le") && cross.includes("mat"), cross.join(" ")); // decoder queries, encoder keys
    assert.equal(await page.isDisabled('option[value="rollout"]'), true); // no rollout across two sequences
  });

  test("tokenizer view: the run's segmentation with counts", async () => {
    await page.goto(`${base}?run=${runName}#tokenizer`);
    await page.waitForSelector('[data-testid="model-status"][data-state="ready"]', { timeout: 30_000 });
    await page.fill('[data-testid="tokenizer-text"]', "We the People");
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="tokenizer-counts"]')?.textContent?.includes("13 characters"));
    const count = Number(await page.getAttribute('[data-testid="tokenizer-counts"]', "data-count"));
    assert.equal(await page.locator('[data-testid="tokenizer-tokens"] .token').count(), count);
    assert.equal((await page.locator('[data-testid="tokenizer-tokens"] .token').allTextContents()).join(""), "We·the·People");
  });

  test("dashboard: charts render and follow a run while it trains", async () => {
    await page.goto(`${base}?run=live-run#dashboard`);
    await page.waitForSelector('[data-testid="dashboard-status"]');
    const steps = 60;
    const seen = page.waitForFunction((total) => {
      const s = Number(document.querySelector<HTMLElement>('[data-testid="dashboard-status"]')?.dataset.lastStep ?? 0);
      return s > 0 && s < total;
    }, steps, { timeout: 60_000, polling: 50 });
    const training = train(live, data, steps, 2, 2);
    await seen; // the page showed a step of the run before the run ended
    await training;
    await page.waitForFunction((total) => Number(document.querySelector<HTMLElement>('[data-testid="dashboard-status"]')?.dataset.lastStep) === total, steps, { timeout: 10_000 });
    // Both runs compared: five charts, each with a line per run (loss: train + validation per run).
    await page.check(`input[data-run="${runName}"]`);
    await page.waitForFunction(() => document.querySelectorAll('[data-chart="loss"] path.series').length === 4);
    assert.equal(await page.locator("figure.chart").count(), 5);
    for (const chart of ["bpb", "lr", "tps", "grad"]) assert.equal(await page.locator(`[data-chart="${chart}"] path.series`).count(), 2, chart);
    // Export: a chart as SVG and as PNG.
    const [svgDownload] = await Promise.all([page.waitForEvent("download"), page.click('[data-chart="loss"] button:text("SVG")')]);
    assert.equal(svgDownload.suggestedFilename(), "loss.svg");
    assert.match(readFileSync((await svgDownload.path())!, "utf8"), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*class="series"/);
    const [pngDownload] = await Promise.all([page.waitForEvent("download"), page.click('[data-chart="loss"] button:text("PNG")')]);
    assert.equal(pngDownload.suggestedFilename(), "loss.png");
    assert.deepEqual([...readFileSync((await pngDownload.path())!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    await page.screenshot({ path: join(shots, "dashboard.png"), fullPage: true });
    assert.deepEqual((page as unknown as { loomErrors: string[] }).loomErrors, []);
  });
});
