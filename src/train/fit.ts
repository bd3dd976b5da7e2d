// The one training loop, shared by `torchlet train`, the server's training worker, the examples
// that train (`torchlet run`) and, later, the page's Web Worker: epochs of trainEpoch, a test
// pass after each, the metrics log, a checkpoint per epoch and, on request, every N steps or
// seconds mid-epoch, memory figures, the stop on a non-finite loss, resume (exact from a
// checkpoint's run state, or from `startEpoch`), stop requests and progress callbacks.
// Pure (no node: imports): files are written through a FitSink (train/run-files.ts is Node's),
// memory is read through a MemoryProbe (train/memory.ts is Node's), so a Worker can run it too.

import { getRngState, setRngState, type RngState } from "../core/random.js";
import type { DataLoaderState } from "../data/dataloader.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";
import type { RunInfo, RunState } from "./checkpoint.js";
import {
  emptyTotals, evaluate, NonFiniteLossError, StopRequested, trainEpoch,
  type Batches, type EpochStats, type EpochTotals, type EvalStats, type LossFn, type StepInfo,
} from "./loop.js";
import type { EpochMemory } from "./memory.js";
import { MetricsRecorder, type MetricsWindow } from "./metrics.js";

/** Where a run's files go: the metrics log (JSON lines) and the checkpoints. */
export interface FitSink {
  /** Names the checkpoint in messages, e.g. its path. */
  readonly where: string;
  /** Appends one line of the metrics log (train/metrics.ts). */
  metricsLine(line: string): void;
  /**
   * Writes the model (and the optimizer's state and the run state, when given) with `info` as
   * metadata; atomically, model and sidecar belonging together (train/checkpoint.ts).
   */
  saveCheckpoint(model: Module, info: RunInfo, optimizer?: Optimizer, run?: FitRunState): void;
}

/** Training batches that know their position: a DataLoader. Needed for mid-epoch checkpoints and exact resume. */
export type StatefulBatches = Batches & { stateDict(): DataLoaderState; loadStateDict(state: DataLoaderState): void };

/**
 * Where a run stands after a step or an epoch, JSON-able: what the checkpoint's sidecar keeps
 * so that fit({ resume }) continues to the same bits as a run that was never interrupted.
 */
export interface FitRunState extends RunState {
  /** torch.getRngState(): dropout and any other draw from the default generator (shuffling too, unless the loader has its own). */
  rng: RngState;
  /** The training DataLoader's stateDict(): the pass and its position, its own generator. */
  loader: DataLoaderState;
  /** Epochs finished. */
  epoch: number;
  /** Steps done in epoch `epoch + 1` (0 at an epoch's end). */
  step: number;
  /** That epoch's running totals (train loss and accuracy so far). */
  totals: EpochTotals;
  /** The metrics log's open window of steps (absent when fit writes no metrics log). */
  metrics?: MetricsWindow;
}

/** How often fit checkpoints mid-epoch (besides every epoch's end); whichever comes first. */
export interface CheckpointEvery {
  /** Every `steps` steps, counted over the whole run (step numbers are the same after a resume). */
  steps?: number;
  /** When `seconds` have passed since the last checkpoint (or the run's start). */
  seconds?: number;
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
  /** Epochs already done (a resumed run): training starts at startEpoch + 1. Default 0 (or the resume state's). */
  startEpoch?: number;
  /**
   * The run state of a checkpoint fit saved (FitSink.saveCheckpoint's `run`), after loading that
   * checkpoint's weights and optimizer state: continues exactly, mid-epoch too. `train` must be
   * the same DataLoader set-up (dataset, batch size, shuffle) as the run that saved it.
   */
  resume?: FitRunState;
  /** Mid-epoch checkpoints (needs a sink, and `train` a DataLoader). */
  checkpointEvery?: CheckpointEvery;
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
  const info = o.info ?? {};
  const stateful = isStateful(o.train) ? o.train : null;
  const every = checkEvery(o.checkpointEvery);
  if ((every || o.resume) && !stateful) throw new TypeError(`fit: ${o.resume ? "resume" : "checkpointEvery"} needs train batches with stateDict() and loadStateDict() (a DataLoader)`);
  const r = o.resume;
  if (r) checkResume(r, o.startEpoch, o.train.length);
  const startEpoch = r?.epoch ?? o.startEpoch ?? 0;
  // The metrics log records epochs only with a test pass (its epoch record has test figures).
  const recorder = o.sink && o.test ? new MetricsRecorder((line) => o.sink!.metricsLine(line), { every: o.metricsEvery }) : null;
  recorder?.start(info, { startEpoch, startStep: r?.step ?? 0, stepsPerEpoch: o.train.length });
  if (r) {
    // Neither restore touches the other's generator (a loader with its own keeps that one in `loader`).
    setRngState(r.rng);
    stateful!.loadStateDict(r.loader);
    if (recorder && r.metrics) recorder.restoreWindow(r.metrics);
  }
  // The run state after a step or an epoch, for the sidecar (none when train cannot tell its position).
  const runState = (epochsDone: number, totals: EpochTotals): FitRunState | undefined => stateful ? {
    rng: getRngState(), loader: stateful.stateDict(), epoch: epochsDone, step: totals.step, totals: { ...totals },
    ...(recorder && { metrics: recorder.window() }),
  } : undefined;
  let lastSave = performance.now();
  // What the sink holds when the loss diverges (for DivergedError's message).
  let saved = r ? "the checkpoint this run resumed from" : startEpoch > 0 ? "the last good epoch" : "";
  let test: EvalStats | null = null;
  for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
    o.onEpochStart?.(epoch);
    let stats: EpochStats;
    const totals = epoch === startEpoch + 1 && r ? { ...r.totals, step: r.step } : emptyTotals();
    try {
      stats = trainEpoch(o.model, o.optimizer, o.lossFn, o.train, (s) => {
        o.onStep?.(epoch, s);
        recorder?.step(epoch, s);
        o.memory?.step();
        // Mid-epoch only: the epoch's last step is followed by the test pass and the epoch's checkpoint.
        if (!every || !o.sink || s.step >= s.steps) return;
        const now = performance.now();
        const global = (epoch - 1) * s.steps + s.step;
        if ((every.steps && global % every.steps === 0) || (every.seconds && now - lastSave >= every.seconds * 1000)) {
          // After optimizer.step(): weights, optimizer state, loader position and generators all stand after step s.step.
          o.sink.saveCheckpoint(o.model, { ...info, epoch: String(epoch - 1), step: String(s.step) }, o.optimizer, runState(epoch - 1, totals));
          saved = `the checkpoint of epoch ${epoch}, step ${s.step}`;
          lastSave = performance.now();
        }
      }, o.isCorrect, o.shouldStop, totals);
    } catch (e) {
      o.onTrainEnd?.(epoch);
      if (e instanceof StopRequested) {
        // The model as it stands (mid-epoch) is still worth exploring; its optimizer state is
        // not saved, so that --resume never takes it for the end of epoch - 1.
        o.sink?.saveCheckpoint(o.model, { ...info, epoch: String(epoch - 1), stoppedInEpoch: String(epoch) });
        return { epoch: epoch - 1, test, stopped: true };
      }
      if (!(e instanceof NonFiniteLossError)) throw e;
      throw new DivergedError(epoch, e, saved && o.sink ? `${o.sink.where} keeps ${saved}` : "nothing was saved");
    }
    o.onTrainEnd?.(epoch);
    o.memory?.sample();
    test = o.test ? evaluate(o.model, o.lossFn, o.test, o.isCorrect) : null;
    const memory = o.memory?.endEpoch();
    o.onEpoch?.({ epoch, epochs: o.epochs, train: stats, ...(test && { test }), ...(memory && { memory }) });
    if (recorder && test) recorder.epoch(epoch, stats, test, memory);
    o.sink?.saveCheckpoint(o.model, { ...info, epoch: String(epoch) }, o.optimizer, runState(epoch, emptyTotals()));
    saved = "the last good epoch";
    lastSave = performance.now();
  }
  return { epoch: Math.max(o.epochs, startEpoch), test, stopped: false };
}

function isStateful(b: Batches): b is StatefulBatches {
  const s = b as Partial<StatefulBatches>;
  return typeof s.stateDict === "function" && typeof s.loadStateDict === "function";
}

function checkEvery(e: CheckpointEvery | undefined): CheckpointEvery | null {
  if (!e) return null;
  const ok = (v: number | undefined, int: boolean) => v === undefined || (Number.isFinite(v) && v > 0 && (!int || Number.isInteger(v)));
  if (!ok(e.steps, true) || !ok(e.seconds, false) || (e.steps === undefined && e.seconds === undefined)) {
    throw new RangeError(`fit: checkpointEvery expects steps (a positive integer) or seconds (a positive number), got ${JSON.stringify(e)}`);
  }
  return e;
}

/** Refuses a resume state that is not one fit saved, naming what is wrong. */
function checkResume(r: FitRunState, startEpoch: number | undefined, steps: number): void {
  const bad = (what: string): never => {
    throw new TypeError(`fit: resume expects the run state of a checkpoint fit saved; ${what}`);
  };
  if (r === null || typeof r !== "object") bad(`got ${r === null ? "null" : typeof r}`);
  if (!Number.isSafeInteger(r.epoch) || r.epoch < 0) bad(`epoch is ${JSON.stringify(r.epoch)}`);
  if (!Number.isSafeInteger(r.step) || r.step < 0 || r.step >= Math.max(steps, 1)) bad(`step is ${JSON.stringify(r.step)}, not within an epoch of ${steps} steps`);
  if (!r.rng || !r.loader) bad(`rng or loader is missing`);
  const t = r.totals;
  if (!t || !["lossSum", "seen", "correct"].every((k) => typeof t[k as keyof EpochTotals] === "number")) bad(`totals is ${JSON.stringify(t)}`);
  if (startEpoch !== undefined && startEpoch !== r.epoch) throw new RangeError(`fit: startEpoch ${startEpoch} disagrees with the resume state's epoch ${r.epoch}`);
}
