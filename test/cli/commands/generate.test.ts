import { test } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../../src/cli/program.js";
import { GPT } from "../../../src/models/index.js";
import { MAX_BEAMS, generate } from "../../../src/generate/index.js";

test("--beams is capped with a clear error before anything is loaded; so is numBeams", async () => {
  const program = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
  for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {} });
  await assert.rejects(program.parseAsync(["node", "loom", "generate", "--run", "/nonexistent", "--beams", "1000000"]), /at most 256 beams, got 1000000/);
  const model = new GPT({ vocab_size: 5, n_positions: 4, n_embd: 4, n_layer: 1, n_head: 1 });
  assert.throws(() => generate(model, [1], { numBeams: 1_000_000 }), new RegExp(`numBeams must be an integer in \\[1, ${MAX_BEAMS}\\], got 1000000`));
});
