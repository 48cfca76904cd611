/**
 * How the `loom` command reports failures: one `loom: <message>` line (and a `hint:` line where one
 * helps) on stderr and a non-zero exit code; the stack only with `--debug` (or `LOOM_DEBUG=1`).
 */
import { CommanderError } from "commander";
import { LoomError } from "../errors.js";

/** A mistake on the command line or in its inputs, with an optional hint on what to do instead. */
export class UsageError extends LoomError {
  constructor(
    message: string,
    /** One line that says how to fix it, printed as `hint: …`. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/** The error codes of Node's file system calls that mean the user named a wrong path. */
const fileErrors: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, expected a file",
  ENOTDIR: "not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
};

/** The lines to print for an error: the message first, then the hint if any. */
export function describeError(error: unknown): { lines: string[]; expected: boolean } {
  if (error instanceof UsageError) return { lines: [error.message, ...(error.hint ? [`hint: ${error.hint}`] : [])], expected: true };
  if (error instanceof CommanderError) return { lines: [error.message.replace(/^error: /, "")], expected: true };
  if (error instanceof LoomError) return { lines: [error.message], expected: true };
  const code = (error as { code?: unknown } | null)?.code;
  const path = (error as { path?: unknown } | null)?.path;
  if (typeof code === "string" && code in fileErrors) {
    return { lines: [typeof path === "string" ? `${path}: ${fileErrors[code]}` : (error as Error).message], expected: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`internal error: ${message}`, "hint: run again with --debug for the stack trace, and report it"], expected: false };
}

/** Prints an error as `loom: …` lines; the stack too when `debug`. */
export function printError(error: unknown, debug: boolean, write: (line: string) => void = (l) => process.stderr.write(l + "\n")): void {
  const { lines } = describeError(error);
  write(`loom: ${lines[0] as string}`);
  for (const line of lines.slice(1)) write(line);
  if (debug && error instanceof Error && error.stack) write(error.stack);
}
