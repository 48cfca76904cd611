/**
 * `loom serve`'s HTTP server (node:http, no framework): the web app's files, and a JSON API over run
 * folders for it: runs, metrics (and server-sent events while a run trains), a tokenizer's
 * segmentation, and a run's config, tokenizer and weights for the browser, which runs the model itself
 * (DESIGN decision 9). Every reply carries the cross-origin isolation headers (./http.ts).
 *
 * Bad input never stops the server: a request it cannot serve gets a 4xx with `{ "error": … }`
 * (unknown run or route 404, wrong method 405, malformed body 400, wrong type 415, too large 413,
 * a Host header other than the loopback names while bound to loopback 421), anything unexpected a 500.
 */
import { createReadStream, existsSync, readFileSync, statSync, openSync, readSync, closeSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "../tokenizers/tokenizer.js";
import { HttpError, ISOLATION_HEADERS, readJsonBody, sendError, sendJson, stringField } from "./http.js";
import { findRun, listRuns, parseMetricsLines, type RunSources } from "./runs.js";

/** Longest text the tokenizer endpoint takes, in characters (a long page of text; more is a 413). */
export const MAX_TEXT_CHARS = 100_000;
/** Largest request body, in bytes. */
export const MAX_BODY_BYTES = 1_000_000;
/** How often the metrics stream looks for new lines, in ms. */
export const METRICS_POLL_MS = 250;

/** Options of {@link createLoomServer}. */
export interface LoomServerOptions extends RunSources {
  /** The built web app (default: the repository's dist/web). */
  readonly webRoot?: string;
  /** Folder of the wasm kernels (default: the repository's build/). */
  readonly wasmDir?: string;
  /** Host names accepted in the Host header (default: localhost, 127.0.0.1, [::1]); null accepts any. */
  readonly allowedHosts?: readonly string[] | null;
}

// src/server/server.ts under tsx and dist/server/server.js once built: ../../ is the repository either way.
const repositoryRoot = new URL("../../", import.meta.url);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".safetensors": "application/octet-stream",
};

/** Run files the browser may fetch. */
const RUN_FILES = new Set(["config.json", "tokenizer.json", "model.safetensors"]);
/** Kernel builds the browser may fetch. */
const WASM_FILES = new Set(["loom-kernels-simd.wasm", "loom-kernels-relaxed.wasm"]);

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, cache: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new HttpError(404, `not found: ${new URL(req.url ?? "/", "http://x").pathname}`);
  const size = statSync(path).size;
  res.writeHead(200, { ...ISOLATION_HEADERS, "Content-Type": CONTENT_TYPES[extname(path)] ?? "application/octet-stream", "Content-Length": size, "Cache-Control": cache });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(path).on("error", () => res.destroy()).pipe(res);
}

interface CachedTokenizer {
  mtimeMs: number;
  tokenizer: Tokenizer;
}

/** The metrics stream of one run: new complete lines of metrics.jsonl as `metrics` events. */
function streamMetrics(req: IncomingMessage, res: ServerResponse, file: string): void {
  res.writeHead(200, { ...ISOLATION_HEADERS, "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive" });
  res.write("retry: 1000\n\n");
  let offset = 0;
  let pending = "";
  const poll = (): void => {
    let size: number;
    try {
      size = existsSync(file) ? statSync(file).size : 0;
    } catch {
      return;
    }
    if (size < offset) {
      // The run was replaced (--overwrite): start again from the top.
      offset = 0;
      pending = "";
      res.write("event: reset\ndata: {}\n\n");
    }
    if (size === offset) return;
    const fd = openSync(file, "r");
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const text = pending + buffer.toString("utf8");
      const cut = text.lastIndexOf("\n") + 1;
      pending = text.slice(cut);
      const rows = parseMetricsLines(text.slice(0, cut));
      if (rows.length > 0) res.write(`event: metrics\ndata: ${JSON.stringify(rows)}\n\n`);
    } finally {
      closeSync(fd);
    }
  };
  poll();
  const timer = setInterval(poll, METRICS_POLL_MS);
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  const stop = (): void => {
    clearInterval(timer);
    clearInterval(heartbeat);
  };
  req.on("close", stop);
  res.on("error", stop);
}

/** The loom server (not yet listening); see the file comment for what it serves. */
export function createLoomServer(options: LoomServerOptions): Server {
  const webRoot = options.webRoot ?? fileURLToPath(new URL("dist/web/", repositoryRoot));
  const wasmDir = options.wasmDir ?? fileURLToPath(new URL("build/", repositoryRoot));
  const allowedHosts = options.allowedHosts === undefined ? ["localhost", "127.0.0.1", "[::1]"] : options.allowedHosts;
  const tokenizers = new Map<string, CachedTokenizer>();

  const tokenizerOf = (dir: string): Tokenizer => {
    const file = join(dir, "tokenizer.json");
    if (!existsSync(file)) throw new HttpError(404, "this run has no tokenizer.json yet");
    const mtimeMs = statSync(file).mtimeMs;
    const cached = tokenizers.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.tokenizer;
    const tokenizer = Tokenizer.fromString(readFileSync(file, "utf8"), file);
    tokenizers.set(file, { mtimeMs, tokenizer });
    return tokenizer;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> => {
    const method = req.method ?? "GET";
    const expect = (allowed: string): void => {
      if (method !== allowed && !(allowed === "GET" && method === "HEAD")) throw new HttpError(405, `${method} is not allowed here; use ${allowed}`);
    };
    if (parts.length === 1 && parts[0] === "runs") {
      expect("GET");
      sendJson(res, { runs: listRuns(options) });
      return;
    }
    if (parts[0] !== "runs" || parts.length < 2) throw new HttpError(404, `no API route /api/${parts.join("/")}`);
    const run = findRun(options, parts[1]!);
    const rest = parts.slice(2);
    if (rest.length === 0) {
      expect("GET");
      sendJson(res, run);
    } else if (rest.length === 1 && rest[0] === "metrics") {
      expect("GET");
      const file = join(run.path, "metrics.jsonl");
      sendJson(res, { rows: existsSync(file) ? parseMetricsLines(readFileSync(file, "utf8")) : [] });
    } else if (rest.length === 1 && rest[0] === "events") {
      expect("GET");
      streamMetrics(req, res, join(run.path, "metrics.jsonl"));
    } else if (rest.length === 1 && rest[0] === "tokenize") {
      expect("POST");
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      const text = stringField(body, "text", MAX_TEXT_CHARS);
      const encoding = tokenizerOf(run.path).encode(text);
      sendJson(res, {
        ids: encoding.ids,
        tokens: encoding.tokens,
        offsets: encoding.offsets,
        specialTokensMask: encoding.specialTokensMask,
        count: encoding.ids.length,
        characters: [...text].length,
        bytes: Buffer.byteLength(text, "utf8"),
      });
    } else if (rest.length === 2 && rest[0] === "files" && RUN_FILES.has(rest[1]!)) {
      expect("GET");
      sendFile(req, res, join(run.path, rest[1]!), "no-store");
    } else {
      throw new HttpError(404, `no API route /api/${parts.join("/")}`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (allowedHosts !== null) {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
      if (!allowedHosts.includes(host)) throw new HttpError(421, `host ${JSON.stringify(host)} is not served here (loom serve answers only ${allowedHosts.join(", ")})`);
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      throw new HttpError(400, "malformed request URL");
    }
    let parts: string[];
    try {
      parts = url.pathname.split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
    } catch {
      throw new HttpError(400, `malformed percent-encoding in ${url.pathname}`);
    }
    if (parts[0] === "api") {
      await handleApi(req, res, parts.slice(1));
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${req.method} is not allowed here; use GET`);
    if (parts[0] === "wasm" && parts.length === 2 && WASM_FILES.has(parts[1]!)) {
      sendFile(req, res, join(wasmDir, parts[1]!), "no-cache");
      return;
    }
    const relative = parts.length === 0 ? "index.html" : parts.join("/");
    const path = normalize(join(webRoot, relative));
    if (!path.startsWith(normalize(webRoot + sep)) || parts.some((p) => p === ".." || p.includes("\0"))) throw new HttpError(404, `not found: ${url.pathname}`);
    if (!existsSync(join(webRoot, "index.html"))) throw new HttpError(503, `the web app is not built (${webRoot} is missing); run \`npm run build\``);
    sendFile(req, res, path, "no-cache");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) sendError(res, error.status, error.message);
      else sendError(res, 500, `internal error: ${(error as Error).message ?? String(error)}`);
    });
  });
  // A request line the parser cannot read: answer 400 and drop the connection, never throw.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

/** Starts `server` on host:port (port 0: any free one) and resolves with the URL it answers on. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolvePromise(`http://${shownHost}:${address.port}/`);
    });
  });
}
