/**
 * `node:fs` in the browser: files the page fetched and registered (the wasm kernels) can be read back
 * by name, which is all the wasm backend's loader needs; anything else is an error that names the call.
 */
const files = new Map<string, Uint8Array>();

function baseName(path: string | URL): string {
  return String(path).split("/").pop() ?? "";
}

/** Makes `bytes` readable as any path ending in `name`. */
export function registerFile(name: string, bytes: Uint8Array): void {
  files.set(name, bytes);
}

/** Whether a registered file has this path's base name. */
export function existsSync(path: string | URL): boolean {
  return files.has(baseName(path));
}

/** A registered file's bytes. @throws Error for any other path. */
export function readFileSync(path: string | URL): Uint8Array {
  const bytes = files.get(baseName(path));
  if (bytes === undefined) throw new Error(`fs.readFileSync(${String(path)}): no file system in the browser`);
  return bytes;
}

function unavailable(name: string): () => never {
  return () => {
    throw new Error(`fs.${name}: no file system in the browser`);
  };
}

export const writeFileSync = unavailable("writeFileSync");
export const openSync = unavailable("openSync");
export const closeSync = unavailable("closeSync");
export const readSync = unavailable("readSync");
export const writeSync = unavailable("writeSync");
export const fsyncSync = unavailable("fsyncSync");
export const renameSync = unavailable("renameSync");
export const unlinkSync = unavailable("unlinkSync");
export const rmSync = unavailable("rmSync");
export const mkdirSync = unavailable("mkdirSync");
export const readdirSync = unavailable("readdirSync");
export const statSync = unavailable("statSync");
export const lstatSync = unavailable("lstatSync");
export const realpathSync = unavailable("realpathSync");
export const appendFileSync = unavailable("appendFileSync");
export const copyFileSync = unavailable("copyFileSync");
export const symlinkSync = unavailable("symlinkSync");
export const linkSync = unavailable("linkSync");
export const createReadStream = unavailable("createReadStream");
export const createWriteStream = unavailable("createWriteStream");
export const constants = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_NOFOLLOW: 131072 };
export default { existsSync, readFileSync, constants };
