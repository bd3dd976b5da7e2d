// The training run of POST /api/train, in a worker thread so that the server keeps answering:
// train/run-request.ts runs the request (as `torchlet train` would: same plans, set-up and loop)
// and writes the same checkpoint and metrics log as the command line; its progress messages go
// to the server, with "saved" after every checkpoint written.
// Stopping: the server sets stop[0] = 1; the next step sees it, and the model as it is is saved.

import { parentPort, workerData } from "node:worker_threads";
import { datasetFiles } from "../train/datasets.js";
import { MemorySampler } from "../train/memory.js";
import type { TrainRequest } from "../train/request.js";
import { runRequest, type RunMessage } from "../train/run-request.js";
import { runFiles } from "../train/run-files.js";

export interface WorkerInput {
  request: TrainRequest;
  save: string;
  dataDir?: string;
  stop: Int32Array;
}

export type WorkerMessage = RunMessage | { type: "saved"; path: string };

function main({ request, save, dataDir, stop }: WorkerInput, post: (m: WorkerMessage) => void): void {
  runRequest(request, {
    open: datasetFiles("mnist", dataDir),
    sink: runFiles(save, { append: false, onSaved: (path) => post({ type: "saved", path }) }),
    memory: new MemorySampler(),
    shouldStop: () => Atomics.load(stop, 0) === 1,
    post,
    source: "torchlet serve",
  });
}

if (parentPort) {
  const port = parentPort;
  main(workerData as WorkerInput, (m) => port.postMessage(m));
}
