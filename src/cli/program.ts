/** Builds the `loom` command line. Each command lives in its own file under src/cli/commands/. */
import { Command } from "commander";
import { version } from "../version.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("loom")
    .description("loom: a deep-learning and LLM stack in TypeScript")
    .version(version, "-v, --version", "print the loom version");
  return program;
}
