// The one training loop, shared by `torchlet train`, the server's training worker, the examples
// that train (`torchlet run`) and, later, the page's Web Worker: epochs of trainEpoch, a test
// pass after each, the metrics log, a checkpoint per epoch, memory figures, the stop on a
// non-finite loss, resume (from `startEpoch`), stop requests and progress callbacks.
// Pure (no node: imports): files are written through a FitSink (train/run-files.ts is Node's),
// memory is read through a MemoryProbe (train/memory.ts is Node's), so a Worker can run it too.

import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";
import type { RunInfo } from "./checkpoint.js";
import { evaluate, NonFiniteLossError, StopRequested, trainEpoch, type Batches, type EpochStats, type EvalStats, type LossFn, type StepInfo } from "./loop.js";
import type { EpochMemory } from "./memory.js";
import { MetricsRecorder } from "./metrics.js";

/** Where a run's files go: the metrics log (JSON lines) and the checkpoints. */
export interface FitSink {
  /** Names the checkpoint in messages, e.g. its path. */
  readonly where: string;
  /** Appends one line of the metrics log (train/metrics.ts). */
  metricsLine(line: string): void;
  /** Writes the model (and the optimizer's state, when given) with `info` as metadata; atomically. */
  saveCheckpoint(model: Module, info: RunInfo, optimizer?: Optimizer): void;
}

/** Memory figures per epoch (Node: train/memory.ts MemorySampler). */
export interface MemoryProbe {
  /** After every training step (cheap; samples now and then). */
  step(): void;
  /** Samples now. */
  sample(): unknown;
  /** The epoch's figures; the next epoch starts over. */
  endEpoch(): EpochMemory;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  train: EpochStats;
  /** The test pass after the epoch (absent when fit was given no test batches). */
  test?: EvalStats;
  memory?: EpochMemory;
}

export interface FitOptions {
  model: Module;
  optimizer: Optimizer;
  lossFn: LossFn;
  /** How many outputs of a batch are right (loop.ts countArgmaxCorrect, countSignCorrect). */
  isCorrect: (output: Tensor, target: Tensor) => number;
  train: Batches;
  /** The test batches evaluated after every epoch; none: no test pass (and no epoch record). */
  test?: Batches;
  /** The last epoch's number (a resumed run counts the epochs it resumes after). */
  epochs: number;
  /** Epochs already done (a resumed run): training starts at startEpoch + 1. Default 0. */
  startEpoch?: number;
  /** The checkpoint's metadata and the metrics log's run record (model, dataset, lr, ...). */
  info?: RunInfo;
  /** Metrics log and checkpoints; none: nothing is written. */
  sink?: FitSink;
  /** Steps between step records in the metrics log (default 10). */
  metricsEvery?: number;
  memory?: MemoryProbe;
  /** Polled before every step; true stops the run there (the model as it is is saved). */
  shouldStop?: () => boolean;
  onEpochStart?(epoch: number): void;
  onStep?(epoch: number, s: StepInfo): void;
  /** After an epoch's training pass, also one that ended by an error or a stop (a progress bar ends here). */
  onTrainEnd?(epoch: number): void;
  /** After the epoch's test pass, before its metrics record and checkpoint are written. */
  onEpoch?(r: EpochReport): void;
}

export interface FitResult {
  /** The last finished epoch. */
  epoch: number;
  /** The test pass of the last finished epoch, if any ran. */
  test: EvalStats | null;
  /** Whether a stop request ended the run. */
  stopped: boolean;
}

/** The loss became NaN or infinite; the message says which epoch and what was kept. */
export class DivergedError extends Error {
  constructor(readonly epoch: number, readonly divergence: NonFiniteLossError, kept: string) {
    super(`epoch ${epoch}: ${divergence.message}; ${kept}`);
  }
}

export function fit(o: FitOptions): FitResult {
  const startEpoch = o.startEpoch ?? 0;
  const info = o.info ?? {};
  // The metrics log records epochs only with a test pass (its epoch record has test figures).
  const recorder = o.sink && o.test ? new MetricsRecorder((line) => o.sink!.metricsLine(line), { every: o.metricsEvery }) : null;
  recorder?.start(info, { startEpoch, stepsPerEpoch: o.train.length });
  let test: EvalStats | null = null;
  for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
    o.onEpochStart?.(epoch);
    let stats: EpochStats;
    try {
      stats = trainEpoch(o.model, o.optimizer, o.lossFn, o.train, (s) => {
        o.onStep?.(epoch, s);
        recorder?.step(epoch, s);
        o.memory?.step();
      }, o.isCorrect, o.shouldStop);
    } catch (e) {
      o.onTrainEnd?.(epoch);
      if (e instanceof StopRequested) {
        // The model as it stands (mid-epoch) is still worth exploring; its optimizer state is
        // not saved, so that --resume never takes it for the end of epoch - 1.
        o.sink?.saveCheckpoint(o.model, { ...info, epoch: String(epoch - 1), stoppedInEpoch: String(epoch) });
        return { epoch: epoch - 1, test, stopped: true };
      }
      if (!(e instanceof NonFiniteLossError)) throw e;
      const saved = o.sink && (epoch > startEpoch + 1 || startEpoch > 0);
      throw new DivergedError(epoch, e, saved ? `${o.sink!.where} keeps the last good epoch` : "nothing was saved");
    }
    o.onTrainEnd?.(epoch);
    o.memory?.sample();
    test = o.test ? evaluate(o.model, o.lossFn, o.test, o.isCorrect) : null;
    const memory = o.memory?.endEpoch();
    o.onEpoch?.({ epoch, epochs: o.epochs, train: stats, ...(test && { test }), ...(memory && { memory }) });
    if (recorder && test) recorder.epoch(epoch, stats, test, memory);
    o.sink?.saveCheckpoint(o.model, { ...info, epoch: String(epoch) }, o.optimizer);
  }
  return { epoch: Math.max(o.epochs, startEpoch), test, stopped: false };
}
