/**
 * Atomic, no-follow file writes: write a fresh temp file beside the target (created with O_EXCL and
 * O_NOFOLLOW, so a planted file or link at the temp name is never written through), flush it to disk,
 * then rename it over the target. rename(2) replaces a link at the target instead of following it, and
 * is atomic on POSIX: a crash or Ctrl-C mid-write leaves the previous file intact.
 */
import { closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FileError, LoomError } from "../errors.js";

// FileError lives with the other named errors (errors.ts, exported from the package root); re-exported
// here because this module is where file operations raise it.
export { FileError };

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "it already exists",
  ELOOP: "it is a symbolic link (loom does not write through links)",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ENOTEMPTY: "the folder is not empty",
  ENOSPC: "the disk is full",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files",
};

/** Runs `fn`; a Node file-system error becomes a FileError naming `path` and `action`. */
export function fileOp<T>(path: string, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asFileError(e, path, action);
  }
}

/** `e` as a FileError if it is a Node system error (it has a `code`), else `e` unchanged. */
export function asFileError(e: unknown, path: string, action: string): unknown {
  if (e instanceof LoomError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== "string") return e;
  return new FileError(path, action, code, `${REASONS[code] ?? (e as Error).message} (${code})`);
}

/** Flags of a fresh file that must not exist yet and is never opened through a link. */
export const CREATE_NEW_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function writeAll(fd: number, data: string | Uint8Array | readonly Uint8Array[]): void {
  const parts = typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
  for (const part of parts) {
    let written = 0;
    while (written < part.length) written += writeSync(fd, part, written, part.length - written);
  }
}

/** Creates `path` (which must not exist) with `data`, flushed to disk; never follows a link at `path`. */
export function writeNewFile(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const fd = fileOp(path, "create the file", () => openSync(path, CREATE_NEW_NO_FOLLOW, 0o644));
  try {
    fileOp(path, "write the file", () => {
      writeAll(fd, data);
      fsyncSync(fd);
    });
  } finally {
    closeSync(fd);
  }
}

/** Writes `path` whole or not at all: a fresh temp file, flushed, renamed over it (never through a link). */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  fileOp(dirname(path), "create the folder", () => mkdirSync(dirname(path), { recursive: true }));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeNewFile(tmp, data);
    fileOp(path, "replace the file", () => renameSync(tmp, path));
  } catch (err) {
    // Saving onto a folder (EISDIR) or a full disk must not leave the temp file behind.
    rmSync(tmp, { force: true });
    throw err;
  }
}
