/**
 * Live training progress: a cli-progress bar (step, loss, tokens/s, ETA) on a terminal, plain lines
 * every few steps otherwise (CI logs, pipes).
 */
import cliProgress from "cli-progress";

export interface ProgressFields {
  step: number;
  total: number;
  loss: number;
  tokensPerSecond: number;
  etaSeconds: number;
  lr: number;
}

export interface ProgressDisplay {
  update(fields: ProgressFields): void;
  /** A line printed above the bar (evaluation results, messages). */
  log(line: string): void;
  stop(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function describe(f: ProgressFields): string {
  return `loss ${f.loss.toFixed(4)} | ${Math.round(f.tokensPerSecond)} tok/s | lr ${f.lr.toExponential(2)} | ETA ${formatDuration(f.etaSeconds)}`;
}

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
    { format: "train |{bar}| step {value}/{total} | {info}", hideCursor: true, clearOnComplete: false, stream, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(f) {
      if (!started) {
        bar.start(f.total, f.step, { info: describe(f) });
        started = true;
      } else {
        bar.setTotal(f.total);
        bar.update(f.step, { info: describe(f) });
      }
    },
    log(line) {
      if (started) {
        stream.write("\r\x1b[2K");
        console.log(line);
        bar.render();
      } else {
        console.log(line);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
