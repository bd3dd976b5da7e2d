// A run's files on disk (Node's FitSink for train/fit.ts): the checkpoint and its optimizer
// sidecar (train/checkpoint.ts, atomic), and the metrics log next to them, each record appended
// (open, write, close) as soon as it exists, so that a reader sees every finished line while the
// run goes on and a crash loses nothing already written.

import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { saveCheckpoint } from "./checkpoint.js";
import type { FitSink } from "./fit.js";
import { metricsPath } from "./metrics.js";

export interface RunFiles extends FitSink {
  /** The metrics log, `metricsPath(checkpoint)`. */
  readonly metricsPath: string;
}

/** The files of a run saved at `checkpoint`: a fresh run starts the metrics log over, a resumed one (append) continues it. */
export function runFiles(checkpoint: string, options: { append: boolean; onSaved?: (path: string) => void }): RunFiles {
  const path = metricsPath(checkpoint);
  mkdirSync(dirname(path), { recursive: true });
  if (!options.append) writeFileSync(path, "");
  return {
    where: checkpoint,
    metricsPath: path,
    metricsLine: (line) => appendFileSync(path, line + "\n"),
    saveCheckpoint: (model, info, optimizer, run) => {
      saveCheckpoint(checkpoint, model, info, optimizer, run);
      options.onSaved?.(checkpoint);
    },
  };
}
