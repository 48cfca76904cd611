/** `loom serve`: the web app (dashboard, playground, attention explorer, tokenizer view) over run folders. */
import type { Server } from "node:http";
import type { Command } from "commander";
import { createLoomServer, listen } from "../../server/index.js";
import { UsageError } from "../errors.js";
import { parseNonNegativeInt } from "../options.js";

interface ServeFlags {
  run?: string[];
  runs?: string[];
  port: number;
  host: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Starts the server on `host:port` for the given runs and prints its address; a host other than the
 * loopback is served (with a warning: anyone who can reach it sees the runs) and accepts any Host header.
 */
export async function startServer(sources: { runs?: readonly string[]; collections?: readonly string[] }, port: number, host: string, log: (line: string) => void): Promise<Server> {
  const loopback = LOOPBACK.has(host);
  const server = createLoomServer({ ...sources, ...(loopback ? {} : { allowedHosts: null }) });
  let url: string;
  try {
    url = await listen(server, port, host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use`, "give another --port, or 0 for any free one");
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UsageError(`cannot listen on host ${host}`, "the default, 127.0.0.1, serves this machine only");
    throw e;
  }
  if (!loopback) log(`warning: serving on ${host}: anyone who can reach this address sees the runs`);
  log(`loom web app: ${url}`);
  return server;
}

/** Registers `loom serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the web app: training dashboard, playground, attention explorer, tokenizer view")
    .option("--run <dir...>", "run folder(s) to show")
    .option("--runs <dir...>", "folder(s) whose sub-folders are runs (default: runs/ when no --run is given)")
    .option("--port <n>", "port (0: any free one)", parseNonNegativeInt, 5173)
    .option("--host <host>", "address to listen on (default: this machine only)", "127.0.0.1")
    .action(async (flags: ServeFlags) => {
      const runs = flags.run ?? [];
      const collections = flags.runs ?? (runs.length === 0 ? ["runs"] : []);
      const server = await startServer({ runs, collections }, flags.port, flags.host, console.log);
      console.log("Ctrl-C stops the server.");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => {
          server.close(() => resolve());
          server.closeAllConnections(); // event streams stay open otherwise
        });
      });
    });
}
