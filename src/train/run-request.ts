// Runs a TrainRequest (train/request.ts) with train/fit.ts and reports its progress as messages:
// the one body of the server's training worker (server/train-worker.ts: files on disk) and the
// page's Web Worker (web/train-worker.ts: the files' bytes go to the page). Messages: "start",
// "step" (at most ten a second, and each epoch's last), "epoch" after each test pass, "done".
// Pure (no node: imports).

import { fit, type FitSink, type MemoryProbe } from "./fit.js";
import { requestPlan, requestSettings, type TrainRequest } from "./request.js";
import { prepareRun, type OpenSplit } from "./setup.js";

export type RunMessage =
  | { type: "start"; description: string; steps: number }
  | { type: "step"; epoch: number; step: number; steps: number; loss: number; accuracy?: number; imagesPerSecond: number }
  | { type: "epoch"; epoch: number; epochs: number; trainLoss: number; testLoss: number; testAccuracy: number; imagesPerSecond: number; seconds: number }
  | { type: "done"; stopped: boolean };

export interface RunIO {
  /** The MNIST splits. */
  open: OpenSplit;
  /** The metrics log and the checkpoints. */
  sink: FitSink;
  memory?: MemoryProbe;
  /** Polled before every step: true stops the run there (the model as it is is saved). */
  shouldStop(): boolean;
  post(m: RunMessage): void;
  /** The checkpoint's `source` metadata, e.g. "torchlet serve". */
  source: string;
}

/** Milliseconds between "step" messages (a page redraws its curves on each). */
const STEP_MESSAGE_MS = 100;

export function runRequest(r: TrainRequest, io: RunIO): void {
  const plan = requestPlan(r);
  const run = prepareRun(plan, requestSettings(r, io.source), io.open);
  io.post({ type: "start", description: run.headline, steps: run.train.length });
  let last = -Infinity;
  const { stopped } = fit({
    model: run.model, optimizer: run.optimizer, lossFn: plan.lossFn, isCorrect: plan.isCorrect, train: run.train, test: run.test,
    epochs: r.epochs, info: run.info, memory: io.memory, sink: io.sink, shouldStop: io.shouldStop,
    onStep: (epoch, s) => {
      const now = performance.now();
      if (now - last < STEP_MESSAGE_MS && s.step < s.steps) return;
      last = now;
      const accuracy = s.correct === undefined ? undefined : s.correct / s.seen; // running accuracy over the epoch
      io.post({ type: "step", epoch, step: s.step, steps: s.steps, loss: s.loss, accuracy, imagesPerSecond: (s.seen / s.elapsedMs) * 1000 });
    },
    onEpoch: ({ epoch, epochs, train, test }) =>
      io.post({ type: "epoch", epoch, epochs, trainLoss: train.loss, testLoss: test!.loss, testAccuracy: test!.accuracy, imagesPerSecond: train.imagesPerSecond, seconds: train.seconds }),
  });
  io.post({ type: "done", stopped });
}
