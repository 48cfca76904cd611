/**
 * The run folder's crash-safe layout and the file operations that keep it whole.
 *
 * ```
 * runs/t/
 *   tokenizer.json  [tokenizer_config.json]                   constant for the run, written before it appears
 *   train.tokens(.json)  validation.tokens(.json)             the encoded data, constant
 *   model.safetensors       copies of checkpoint-N/model.safetensors and config.json (the latest
 *   config.json             complete checkpoint), each switched by one rename
 *   metrics.jsonl  loss.svg                                   the log, cut back to step N on --resume
 *   checkpoint-N/           model.safetensors, config.json, optimizer.safetensors, trainer_state.json
 * ```
 *
 * The top level is a Hugging Face model folder at every instant: its tokenizer and config never change
 * during a run (the config is re-copied with the weights but has the same contents), and
 * model.safetensors is replaced by one rename. A checkpoint is one unit: its files
 * are written and flushed inside a fresh `.checkpoint-N.tmp-PID` folder, which one rename turns into
 * `checkpoint-N`; so a `checkpoint-N` folder exists only when whole, and the latest complete
 * checkpoint is the highest N. The previous one is removed only after that rename (and after the top
 * level points at the new one). Temp names start with a dot; whatever a crash leaves of them is
 * removed at the next start. Every write creates a fresh file (O_EXCL|O_NOFOLLOW) and renames it into
 * place, or appends with O_NOFOLLOW, so no write goes through a planted link. `.loom-train.lock` holds
 * the id of the process training in the folder, so a second one neither writes nor cleans up there.
 *
 * Test hook: `LOOM_KILL_AT_SAVE_OP=N` makes the process SIGKILL itself at the Nth file operation of
 * the run's saves (checkpoints, top-level switch, clean-up, metrics and plot writes), so a test can kill
 * a run at every point of a save.
 */
import {
  existsSync, closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync,
  renameSync, rmSync, writeSync, copyFileSync,
} from "node:fs";
import { join } from "node:path";
import { asFileError, CREATE_NEW_NO_FOLLOW, fileOp } from "../io/atomic.js";
import { FormatError, ValueError } from "../errors.js";

/** Prefix of checkpoint folders, as Hugging Face's Trainer names them (`checkpoint-500`). */
export const CHECKPOINT_PREFIX = "checkpoint-";
const CHECKPOINT_NAME = /^checkpoint-(\d+)$/;

let saveOps = 0;
const killAt = Number(process.env.LOOM_KILL_AT_SAVE_OP ?? "0");
let saveOpHook: ((count: number) => void) | undefined =
  killAt > 0 ? (count) => (count === killAt ? void process.kill(process.pid, "SIGKILL") : undefined) : undefined;

/**
 * Replaces the hook called at every save operation with its count since this call (tests: a hook
 * that throws stands for a crash at that point), or removes it.
 */
export function setSaveOperationHook(hook: ((count: number) => void) | undefined): void {
  saveOpHook = hook;
  saveOps = 0;
}

/** One file operation of a save: the test hook's counter (see the file comment). */
export function saveOp(): void {
  saveOps++;
  saveOpHook?.(saveOps);
}

/** A file of a checkpoint: its name inside the folder and its bytes. */
export interface RunFile {
  name: string;
  data: string | Uint8Array | readonly Uint8Array[];
}

function parts(data: RunFile["data"]): readonly Uint8Array[] {
  return typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
}

/** Creates `path` fresh (never through a link), writes it part by part and flushes it. */
function createFlushed(path: string, data: RunFile["data"]): void {
  saveOp();
  const fd = fileOp(path, "create the file", () => openSync(path, CREATE_NEW_NO_FOLLOW, 0o644));
  try {
    for (const part of parts(data)) {
      fileOp(path, "write the file", () => {
        let written = 0;
        while (written < part.length) written += writeSync(fd, part, written, part.length - written);
      });
      saveOp();
    }
    fileOp(path, "flush the file", () => fsyncSync(fd));
  } finally {
    closeSync(fd);
  }
  saveOp();
}

/** Flushes a folder's entries (the renames inside it) to disk. */
export function syncFolder(dir: string): void {
  const fd = fileOp(dir, "open the folder", () => openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY));
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder (EINVAL); the rename is still atomic there.
  } finally {
    closeSync(fd);
  }
  saveOp();
}

function entries(dir: string): string[] {
  return fileOp(dir, "list the folder", () => readdirSync(dir));
}

function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The folder of checkpoint `step` in a run folder (`checkpoint-<step>`). */
export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, `${CHECKPOINT_PREFIX}${step}`);
}

/** The latest complete checkpoint: the `checkpoint-N` folder with the highest N, or null. */
export function latestCheckpoint(runDir: string): { step: number; dir: string } | null {
  let best: { step: number; dir: string } | null = null;
  for (const name of entries(runDir)) {
    const m = CHECKPOINT_NAME.exec(name);
    if (!m) continue;
    const step = Number(m[1]);
    const dir = join(runDir, name);
    if (!isRealFolder(dir)) continue;
    if (best === null || step > best.step) best = { step, dir };
  }
  return best;
}

/**
 * Writes one checkpoint as a unit: files into a fresh temp folder, flushed, then one rename makes
 * `checkpoint-<step>`; the top-level model.safetensors is switched to it; older checkpoints go.
 */
export function saveCheckpoint(runDir: string, step: number, files: readonly RunFile[]): string {
  const final = checkpointDir(runDir, step);
  if (isRealFolder(final)) throw new ValueError(`${final} already exists: checkpoint ${step} was saved before (is another run writing to ${runDir}?)`);
  const tmp = join(runDir, `.${CHECKPOINT_PREFIX}${step}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  saveOp();
  fileOp(tmp, "create the folder", () => mkdirSync(tmp));
  saveOp();
  for (const f of files) createFlushed(join(tmp, f.name), f.data);
  syncFolder(tmp);
  fileOp(final, "move the finished checkpoint into place", () => renameSync(tmp, final));
  saveOp();
  syncFolder(runDir);
  linkTopLevelModel(runDir, final);
  removeOlderCheckpoints(runDir, step);
  return final;
}

/** The files of a checkpoint that the run folder's top level shows (a Hugging Face model folder). */
const TOP_LEVEL_FILES = ["config.json", "model.safetensors"];

/** Points the top-level model files at `checkpoint`'s (config.json first: it is the same for the whole run). */
export function linkTopLevelModel(runDir: string, checkpoint: string): void {
  for (const name of TOP_LEVEL_FILES) if (existsSync(join(checkpoint, name))) linkTopLevelFile(runDir, checkpoint, name);
}

/**
 * One file: a copy under a temp name (a reflink where the file system can), flushed, renamed over the
 * top-level file. A copy, not a hard link: tools that rewrite model.safetensors in place (safetensors'
 * save_file truncates the file it opens) must not change the checkpoint behind it.
 */
function linkTopLevelFile(runDir: string, checkpoint: string, name: string): void {
  const source = join(checkpoint, name);
  const target = join(runDir, name);
  const tmp = join(runDir, `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { force: true });
  saveOp();
  fileOp(tmp, "copy the checkpoint's file", () => copyFileSync(source, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE));
  saveOp();
  const fd = fileOp(tmp, "open the copy", () => openSync(tmp, constants.O_RDONLY | constants.O_NOFOLLOW));
  try {
    fileOp(tmp, "flush the copy", () => fsyncSync(fd));
  } finally {
    closeSync(fd);
  }
  saveOp();
  fileOp(target, "replace the file", () => renameSync(tmp, target));
  saveOp();
  syncFolder(runDir);
}

/** Removes checkpoints older than `step` (each renamed to a temp name first, so none is left half-deleted). */
function removeOlderCheckpoints(runDir: string, step: number): void {
  for (const name of entries(runDir)) {
    const m = CHECKPOINT_NAME.exec(name);
    if (!m || Number(m[1]) >= step) continue;
    const doomed = join(runDir, `.${name}.old-${process.pid}`);
    fileOp(join(runDir, name), "retire the old checkpoint", () => renameSync(join(runDir, name), doomed));
    saveOp();
    rmSync(doomed, { recursive: true, force: true });
    saveOp();
  }
}

/** Temp names the run's writers use: `.NAME.tmp-PID`, `.NAME.PID.MS.tmp` (writeFileAtomic), `.checkpoint-N.old-PID`. */
const TEMP_NAME = /^\..+(\.tmp-\d+|\.\d+\.\d+\.tmp|\.old-\d+)$/;

/**
 * Brings a run folder back to its invariant after a crash: removes temp files and folders, checkpoints
 * older than the latest, and makes the top-level model files the latest's. Returns the names removed.
 */
export function repairRunFolder(runDir: string): string[] {
  const removed: string[] = [];
  const latest = latestCheckpoint(runDir);
  for (const name of entries(runDir)) {
    const m = CHECKPOINT_NAME.exec(name);
    const stale = TEMP_NAME.test(name) || (m !== null && latest !== null && Number(m[1]) < latest.step);
    if (!stale) continue;
    fileOp(join(runDir, name), "remove the stale file", () => rmSync(join(runDir, name), { recursive: true, force: true }));
    removed.push(name);
  }
  if (latest && TOP_LEVEL_FILES.some((f) => !sameFile(join(runDir, f), join(latest.dir, f)))) linkTopLevelModel(runDir, latest.dir);
  return removed;
}

/** Whether two files hold the same bytes. */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = lstatSync(a);
    const sb = lstatSync(b);
    return sa.isFile() && sb.isFile() && sa.size === sb.size && readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

/** Appends a line to a run file, never through a link (O_NOFOLLOW). */
export function appendLine(path: string, line: string): void {
  saveOp();
  const fd = fileOp(path, "append to the file", () =>
    openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644),
  );
  try {
    fileOp(path, "append to the file", () => writeSync(fd, line.endsWith("\n") ? line : line + "\n"));
  } finally {
    closeSync(fd);
  }
  saveOp();
}

/** Writes a whole run file: a fresh temp file renamed over the target (which is replaced, not followed). */
export function replaceFile(path: string, data: RunFile["data"]): void {
  const tmp = `${path}.tmp-${process.pid}`.replace(/([^/]+)$/, ".$1");
  rmSync(tmp, { force: true });
  createFlushed(tmp, data);
  fileOp(path, "replace the file", () => renameSync(tmp, path));
  saveOp();
}

/** One row of metrics.jsonl. */
export interface MetricsRow {
  step: number;
  loss?: number;
  val_loss?: number;
  [key: string]: unknown;
}

/**
 * Reads metrics.jsonl keeping the rows up to `step` (a resumed run writes the rows after it again);
 * a line cut off by a crash (the last one, without a newline) is dropped.
 */
export function readMetrics(path: string, upToStep: number): MetricsRow[] {
  let text: string;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw asFileError(e, path, "read the file");
  }
  // The last piece after the final newline is "" or a line torn by a crash.
  const complete = text.split("\n").slice(0, -1);
  const rows: MetricsRow[] = [];
  complete.forEach((line, i) => {
    if (line.trim() === "") return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new FormatError(path, `line ${i + 1}`, `invalid JSON (${(e as Error).message})`);
    }
    const step = (row as { step?: unknown } | null)?.step;
    if (typeof step !== "number") throw new FormatError(path, `line ${i + 1}.step`, `expected a number, got ${JSON.stringify(step)}`);
    if (step <= upToStep) rows.push(row as MetricsRow);
  });
  return rows;
}

/** Rewrites metrics.jsonl with `rows` (whole, by rename). */
export function writeMetrics(path: string, rows: readonly MetricsRow[]): void {
  replaceFile(path, rows.map((r) => JSON.stringify(r) + "\n").join(""));
}

/** The lock file of a run folder: the id of the process that trains in it. */
export const LOCK_FILE = ".loom-train.lock";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the run folder for this process, so that two `loom train` never write (or clean up) one run
 * folder at once. A lock left by a process that is gone (killed) is taken over; this process's own
 * lock is taken again.
 */
export function lockRunFolder(runDir: string): void {
  const path = join(runDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, CREATE_NEW_NO_FOLLOW, 0o644);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw asFileError(e, path, "lock the run folder");
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {
      // Unreadable or removed meanwhile: taken over below.
    }
    if (owner === process.pid) return;
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
      throw new ValueError(`${runDir} is in use by process ${owner} (another loom train?); wait for it or stop it first`);
    }
    rmSync(path, { force: true });
  }
  throw new ValueError(`${runDir}: cannot lock the run folder (${LOCK_FILE} keeps reappearing)`);
}

/** Gives the run folder up (only this process's own lock). */
export function unlockRunFolder(runDir: string): void {
  const path = join(runDir, LOCK_FILE);
  try {
    if (Number.parseInt(readFileSync(path, "utf8"), 10) === process.pid) rmSync(path, { force: true });
  } catch {
    // No lock, or not ours: nothing to give up.
  }
}

/** True when `dir` holds nothing but maybe a lock (or does not exist). */
export function isEmptyFolder(dir: string): boolean {
  try {
    return readdirSync(dir).every((name) => name === LOCK_FILE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
    if (existsSync(dir) && !isRealFolder(dir)) throw new ValueError(`${dir} is a file, not a run folder`);
    throw asFileError(e, dir, "read the folder");
  }
}
