/** Inputs and progress display of `loom tokenizer train`. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { ValueError } from "../../errors.js";
import type { TrainerProgress } from "../../tokenizers/trainers/trainer.js";

/** Expands the command's FILES: a directory stands for the `*.txt` files directly inside it, in name order. */
export function listTrainingFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new ValueError(`tokenizer train: no such file or directory: ${p}`);
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const inside = readdirSync(p)
      .filter((name) => name.endsWith(".txt"))
      .sort()
      .map((name) => join(p, name));
    if (inside.length === 0) throw new ValueError(`tokenizer train: no .txt files in directory ${p}`);
    files.push(...inside);
  }
  if (files.length === 0) throw new ValueError("tokenizer train: no input files");
  return files;
}

export interface ProgressDisplay {
  update(progress: TrainerProgress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (cli-progress), plain lines otherwise (one per stage and per tenth of
 * a stage), so logs of non-interactive runs stay short.
 */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: "{stage} [{bar}] {value}/{total} | {duration_formatted}", hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let stage: string | undefined;
    return {
      update(p) {
        if (p.stage !== stage) {
          if (stage !== undefined) bar.stop();
          stage = p.stage;
          bar.start(p.total, p.done, { stage: p.stage.padEnd(14) });
        } else {
          bar.setTotal(p.total);
          bar.update(p.done);
        }
      },
      stop() {
        if (stage !== undefined) bar.stop();
      },
    };
  }
  let stage: string | undefined;
  let lastTenth = -1;
  return {
    update(p) {
      const tenth = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 10;
      if (p.stage === stage && tenth === lastTenth) return;
      stage = p.stage;
      lastTenth = tenth;
      stream.write(`${p.stage}: ${p.done}/${p.total}\n`);
    },
    stop() {},
  };
}
