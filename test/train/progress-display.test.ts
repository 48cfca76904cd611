// The terminal progress bar must never restore a cursor position saved before a line was printed (that
// overwrote printed lines with the bar's remains), and must leave its line empty when it stops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createProgress } from "../../src/train/progress.js";

test("a logged line is printed between a bar stop (cursor restored, line cleared) and a new start", () => {
  const events: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { events.push(chunk.toString()); done(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  const log = console.log;
  console.log = (line: string) => void events.push(`LOG:${line}`);
  try {
    const p = createProgress({ tty: true, stream });
    const fields = { step: 1, total: 10, loss: 2, tokensPerSecond: 100, etaSeconds: 9, lr: 1e-3 };
    p.update(fields);
    p.update({ ...fields, step: 2 });
    p.log("step 2: validation loss 1.9");
    p.update({ ...fields, step: 3 });
    p.stop();
  } finally {
    console.log = log;
  }
  // Walk the output: a cursor save (ESC 7) opens a bar, its restore (ESC 8) closes it; no line may be
  // logged while a bar is open.
  let open = false;
  for (const e of events) {
    if (e.startsWith("LOG:")) assert.equal(open, false, `"${e}" was printed while the bar held a saved cursor`);
    if (e.includes("\x1b7")) open = true;
    if (e.includes("\x1b8")) open = false;
  }
  assert.equal(open, false, "the bar was left running");
  assert.ok(events.some((e) => e === "LOG:step 2: validation loss 1.9"));
});
