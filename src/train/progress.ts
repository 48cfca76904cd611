/**
 * Live training progress: a cli-progress bar (step, loss, tokens/s, ETA) on a terminal, plain lines
 * every few steps otherwise (CI logs, pipes).
 */
import cliProgress from "cli-progress";

/** One progress update: step, total, loss, speed, ETA, learning rate. */
export interface ProgressFields {
  step: number;
  total: number;
  loss: number;
  tokensPerSecond: number;
  etaSeconds: number;
  lr: number;
}

/** Where training progress goes: a live bar on a terminal, lines in a log. */
export interface ProgressDisplay {
  update(fields: ProgressFields): void;
  /** A line printed above the bar (evaluation results, messages). */
  log(line: string): void;
  stop(): void;
}

/** Seconds as "4m05s" or "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function describe(f: ProgressFields): string {
  return `loss ${f.loss.toFixed(4)} | ${Math.round(f.tokensPerSecond)} tok/s | lr ${f.lr.toExponential(2)} | ETA ${formatDuration(f.etaSeconds)}`;
}

/** A progress display on `stream` (stderr): a bar on a terminal, a line every `every` steps otherwise. */
export function createProgress(options: { tty?: boolean; every?: number; stream?: NodeJS.WriteStream } = {}): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  if (!tty) {
    const every = options.every ?? 10;
    return {
      update(f) {
        if (f.step === 1 || f.step % every === 0 || f.step === f.total) console.log(`step ${f.step}/${f.total} | ${describe(f)}`);
      },
      log: (line) => console.log(line),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    // clearOnComplete: stop() leaves an empty line, so whatever is printed next starts clean.
    { format: "train |{bar}| step {value}/{total} | {info}", hideCursor: true, clearOnComplete: true, stream, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let last: ProgressFields | null = null;
  return {
    update(f) {
      last = f;
      if (!started) {
        bar.start(f.total, f.step, { info: describe(f) });
        started = true;
      } else {
        bar.setTotal(f.total);
        bar.update(f.step, { info: describe(f) });
      }
    },
    log(line) {
      // cli-progress saves the cursor at start() and restores it at stop(): a line printed while the
      // bar runs would be overwritten later. So the bar is stopped (cleared), the line printed, and the
      // bar started again below it.
      if (started && last) {
        bar.stop();
        console.log(line);
        bar.start(last.total, last.step, { info: describe(last) });
      } else {
        console.log(line);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
