// Runs `loom` command lines in one process (as main.ts does, minus process.exit) and prints, for each,
// the exit code runCli returns and what went to stdout and stderr, as JSON lines. Used by
// user-errors.test.ts so the many mistakes cost one process start instead of one each.
import { runCli } from "../../src/cli/program.js";

const cases = JSON.parse(process.argv[2] as string) as string[][];
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const results: { args: string[]; status: number; stdout: string; stderr: string }[] = [];
for (const args of cases) {
  let stdout = "";
  let stderr = "";
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void (stdout += a.join(" ") + "\n");
  console.error = (...a: unknown[]) => void (stderr += a.join(" ") + "\n");
  let status: number;
  try {
    status = await runCli(["node", "loom", ...args]);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
    console.log = log;
    console.error = error;
  }
  process.exitCode = 0;
  results.push({ args, status, stdout, stderr });
}
realOut(JSON.stringify(results) + "\n");
