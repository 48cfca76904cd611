/**
 * A new run folder appears whole: its files are written into a fresh sibling `.NAME.setup-PID` and
 * renamed to NAME in one step. With --overwrite the old folder is first renamed aside
 * (`.NAME.old-PID`) and removed only after the new one is in place, so at no instant does NAME hold
 * files of two runs. Leftovers of a crash (`.NAME.setup-*`, `.NAME.old-*`) are removed at the next start.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, rmdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileOp } from "../io/atomic.js";
import { ValueError } from "../errors.js";
import { isEmptyFolder, LOCK_FILE, saveOp, syncFolder } from "./run-folder.js";

/** Removes what a crashed start or overwrite of run folder `out` left beside it. Returns the names removed. */
export function removePublishLeftovers(out: string): string[] {
  const parent = dirname(resolve(out));
  const name = basename(resolve(out));
  const leftover = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(setup|old)-\\d+$`);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed = names.filter((n) => leftover.test(n));
  for (const n of removed) fileOp(join(parent, n), "remove a leftover of a crashed run", () => rmSync(join(parent, n), { recursive: true, force: true }));
  return removed;
}

/**
 * Fills a fresh setup folder with `fill`, then makes it `out`. `out` must be absent or empty unless
 * `overwrite`. Returns what `fill` returns.
 */
export function publishRunFolder<T>(out: string, fill: (dir: string) => T, overwrite: boolean, log: (line: string) => void): T {
  const target = resolve(out);
  const parent = dirname(target);
  const name = basename(target);
  fileOp(parent, "create the folder", () => mkdirSync(parent, { recursive: true }));
  for (const n of removePublishLeftovers(out)) log(`removed ${join(parent, n)}, left by a crashed run`);
  const setup = join(parent, `.${name}.setup-${process.pid}`);
  fileOp(setup, "create the folder", () => mkdirSync(setup));
  saveOp();
  const result = fill(setup);
  syncFolder(setup);
  if (isEmptyFolder(target)) {
    fileOp(target, "remove the empty folder", () => {
      rmSync(join(target, LOCK_FILE), { force: true }); // a lock left in an empty folder (isEmptyFolder allows it)
      rmdirIfPresent(target);
    });
    saveOp();
    fileOp(target, "create the run folder", () => renameSync(setup, target));
  } else {
    if (!overwrite) {
      rmSync(setup, { recursive: true, force: true });
      throw new ValueError(`${out} already holds a run: continue it with --resume, replace it with --overwrite, or choose another --out`);
    }
    const old = join(parent, `.${name}.old-${process.pid}`);
    fileOp(target, "move the old run aside", () => renameSync(target, old));
    saveOp();
    fileOp(target, "create the run folder", () => renameSync(setup, target));
    saveOp();
    syncFolder(parent);
    fileOp(old, "remove the replaced run", () => rmSync(old, { recursive: true, force: true }));
    log(`replaced the run in ${out} (--overwrite)`);
  }
  saveOp();
  syncFolder(parent);
  return result;
}

function rmdirIfPresent(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}
