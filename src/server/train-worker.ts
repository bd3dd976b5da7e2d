// The training run of POST /api/train, in a worker thread so that the server keeps answering.
// The request becomes a plan and settings (train/plans.ts, train/setup.ts, as `torchlet train`),
// train/fit.ts runs it, writing the same checkpoint and metrics log as the command line, and
// progress goes to the server: "step" (at most ten a second), "epoch", "saved", then "done".
// Stopping: the server sets stop[0] = 1; the next step sees it, and the model as it is is saved.

import { parentPort, workerData } from "node:worker_threads";
import { fit } from "../train/fit.js";
import { MemorySampler } from "../train/memory.js";
import { lenet5Plan, logregPlan } from "../train/plans.js";
import { runFiles } from "../train/run-files.js";
import { prepareRun } from "../train/setup.js";
import type { TrainRequest } from "./train-request.js";

export interface WorkerInput {
  request: TrainRequest;
  save: string;
  dataDir?: string;
  stop: Int32Array;
}

export type WorkerMessage =
  | { type: "start"; description: string; steps: number }
  | { type: "step"; epoch: number; step: number; steps: number; loss: number; accuracy?: number; imagesPerSecond: number }
  | { type: "epoch"; epoch: number; epochs: number; trainLoss: number; testLoss: number; testAccuracy: number; seconds: number }
  | { type: "saved"; path: string }
  | { type: "done"; stopped: boolean };

function main({ request: r, save, dataDir, stop }: WorkerInput, post: (m: WorkerMessage) => void): void {
  // The homework's 4-vs-9 problem for logistic regression, labels -1/+1.
  const plan = r.model === "lenet5" ? lenet5Plan(r.c3) : logregPlan(r.loss, [4, 9]);
  const run = prepareRun(plan, {
    dataset: "mnist", optimizer: r.optimizer, lr: r.lr, batchSize: r.batchSize, seed: r.seed, limit: r.limit, dataDir,
    extraInfo: { source: "torchlet serve" },
  });
  post({ type: "start", description: run.headline, steps: run.train.length });
  let last = 0;
  const { stopped } = fit({
    model: run.model, optimizer: run.optimizer, lossFn: plan.lossFn, isCorrect: plan.isCorrect, train: run.train, test: run.test,
    epochs: r.epochs, info: run.info, memory: new MemorySampler(),
    sink: runFiles(save, { append: false, onSaved: (path) => post({ type: "saved", path }) }),
    shouldStop: () => Atomics.load(stop, 0) === 1,
    onStep: (epoch, s) => {
      const now = performance.now();
      if (now - last < 100 && s.step < s.steps) return;
      last = now;
      const accuracy = s.correct === undefined ? undefined : s.correct / s.seen; // running accuracy over the epoch
      post({ type: "step", epoch, step: s.step, steps: s.steps, loss: s.loss, accuracy, imagesPerSecond: (s.seen / s.elapsedMs) * 1000 });
    },
    onEpoch: ({ epoch, epochs, train, test }) =>
      post({ type: "epoch", epoch, epochs, trainLoss: train.loss, testLoss: test!.loss, testAccuracy: test!.accuracy, seconds: train.seconds }),
  });
  post({ type: "done", stopped });
}

if (parentPort) {
  const port = parentPort;
  main(workerData as WorkerInput, (m) => port.postMessage(m));
}
