/**
 * Browser stand-ins for the Node built-ins other than fs that library modules import at load time
 * (`node:path`, `node:url`, `node:os`, `node:v8`, `node:module`, `node:worker_threads`, `node:readline`,
 * `node:fs/promises`). Only what runs in the browser works (POSIX path joins, a file URL's path, the
 * core count); the rest throws an error that names the call.
 */
function unavailable(name: string): () => never {
  return () => {
    throw new Error(`${name}: not available in the browser`);
  };
}

/** POSIX path join with `.` and `..` resolved. */
export function join(...parts: string[]): string {
  const out: string[] = [];
  const absolute = parts[0]?.startsWith("/") ?? false;
  for (const piece of parts.join("/").split("/")) {
    if (piece === "" || piece === ".") continue;
    if (piece === "..") out.pop();
    else out.push(piece);
  }
  return (absolute ? "/" : "") + out.join("/");
}
export const resolve = (...parts: string[]): string => join("/", ...parts);
export const normalize = (path: string): string => join(path);
export const basename = (path: string, ext?: string): string => {
  const base = path.replace(/\/+$/, "").split("/").pop() ?? "";
  return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
};
export const dirname = (path: string): string => path.replace(/\/[^/]*\/?$/, "") || "/";
export const extname = (path: string): string => /\.[^./]*$/.exec(basename(path))?.[0] ?? "";
export const relative = unavailable("path.relative");
export const isAbsolute = (path: string): boolean => path.startsWith("/");
export const sep = "/";
export const posix = { join, resolve, normalize, basename, dirname, extname, sep };

/** A file URL's path (any URL's path, in the browser). */
export const fileURLToPath = (url: string | URL): string => new URL(String(url)).pathname;
export const pathToFileURL = (path: string): URL => new URL(path, "file:///");

/** Cores the page may use. */
export const availableParallelism = (): number => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
export const cpus = (): unknown[] => Array.from({ length: availableParallelism() }, () => ({}));
export const tmpdir = (): string => "/tmp";
export const homedir = (): string => "/";
export const platform = (): string => "browser";
export const EOL = "\n";

/** V8 flags cannot be set from a page; relaxed SIMD is on in current browsers anyway. */
export const setFlagsFromString = (): void => {};

/** No CommonJS loading in the browser: the native backend reports itself unavailable. */
export const createRequire = (): ((id: string) => never) => (id: string) => {
  throw new Error(`require(${id}): not available in the browser`);
};

/** worker_threads: the browser build runs the wasm backend on one thread (no pool). */
export const isMainThread = true;
export const workerData = null;
export const parentPort = null;
export class Worker {
  constructor() {
    throw new Error("worker_threads.Worker: not available in the browser");
  }
}

export const createInterface = unavailable("readline.createInterface");
export const readFile = unavailable("fs/promises.readFile");
export const writeFile = unavailable("fs/promises.writeFile");
export const rename = unavailable("fs/promises.rename");
export const rm = unavailable("fs/promises.rm");
export const mkdir = unavailable("fs/promises.mkdir");

export default { join, resolve, normalize, basename, dirname, extname, sep, availableParallelism, cpus, tmpdir, setFlagsFromString, createRequire };
