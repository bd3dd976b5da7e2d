// The metrics log of a training run: JSON lines, one record per line, written while training
// (so a plot or a live page can read a run that is still going) and read back by `torchlet plot`.
// Pure (no node: imports): the recorder writes through a sink, run-files.ts gives it a file.
//   {"type":"run", "start":"2025-..Z", "startEpoch":0, "startStep":0, "stepsPerEpoch":600, "every":10, "info":{...}}
//   {"type":"step", "epoch":1, "step":10, "steps":600, "globalStep":10, "loss":..., "accuracy":..., "imagesPerSecond":..., "time":...}
//   {"type":"epoch", "epoch":1, "globalStep":600, "trainLoss":..., "trainAccuracy":..., "testLoss":..., "testAccuracy":..., ...}

import { imagesPerSecond, type EpochStats, type EvalStats, type StepInfo } from "./loop.js";

export interface RunRecord {
  type: "run";
  /** Wall-clock start, ISO 8601; every other record's `time` is seconds since then. */
  start: string;
  /** Epochs already done (a resumed run) before this run's first epoch. */
  startEpoch: number;
  /** Steps of epoch startEpoch + 1 already done (a run resumed from a mid-epoch checkpoint); absent: 0. */
  startStep?: number;
  stepsPerEpoch: number;
  /** A step record is written every `every` steps. */
  every: number;
  info: Record<string, string>;
}

export interface StepRecord {
  type: "step";
  epoch: number;
  /** Step within the epoch (1-based), out of `steps`. */
  step: number;
  steps: number;
  globalStep: number;
  /** Mean batch loss over the steps since the previous step record. */
  loss: number;
  /** Training accuracy over the images of those steps (absent when the run cannot tell). */
  accuracy?: number;
  imagesPerSecond: number;
  time: number;
}

export interface EpochRecord {
  type: "epoch";
  epoch: number;
  globalStep: number;
  /** Mean batch loss over the epoch, as printed. */
  trainLoss: number;
  trainAccuracy?: number;
  /** Mean batch loss over the test set, as printed. */
  testLoss: number;
  testAccuracy: number;
  imagesPerSecond: number;
  /** Seconds of training in this epoch (the test pass not included). */
  seconds: number;
  time: number;
  /** The epoch's memory in MB, where the trainer measures it (Node: src/train/memory.ts). */
  peakRssMB?: number;
  heapMB?: number;
  externalMB?: number;
  arrayBuffersMB?: number;
}

/** The memory fields of an epoch record. */
export type EpochMemoryFields = Pick<EpochRecord, "peakRssMB" | "heapMB" | "externalMB" | "arrayBuffersMB">;

export type MetricsRecord = RunRecord | StepRecord | EpochRecord;

/** `runs/lenet5-sparse.safetensors` -> `runs/lenet5-sparse.metrics.jsonl` (as the optimizer sidecar). */
export function metricsPath(checkpoint: string): string {
  return checkpoint.replace(/(\.safetensors)?$/, ".metrics.jsonl");
}

export interface RecorderOptions {
  /** Steps between step records (default 10). */
  every?: number;
  /** Milliseconds clock (default performance.now); tests pass a fake one. */
  now?: () => number;
}

/** The recorder's open window (steps since its last step record), kept by a mid-epoch checkpoint. */
export interface MetricsWindow {
  loss: number;
  steps: number;
  correct: number;
  images: number;
  lastSeen: number;
  lastCorrect: number;
}

/** Turns the training loop's callbacks into records, one JSON line each, handed to `sink`. */
export class MetricsRecorder {
  readonly every: number;
  private readonly now: () => number;
  private readonly t0: number;
  private stepsPerEpoch = 0;
  // The open window of steps since the last step record.
  private windowLoss = 0;
  private windowSteps = 0;
  private windowCorrect = 0;
  private windowImages = 0;
  // The epoch's running totals at the last step seen (StepInfo's seen and correct are cumulative).
  private lastSeen = 0;
  private lastCorrect = 0;

  constructor(private readonly sink: (line: string) => void, options: RecorderOptions = {}) {
    this.every = options.every ?? 10;
    if (!(Number.isInteger(this.every) && this.every > 0)) throw new RangeError(`MetricsRecorder: every must be a positive integer, got ${this.every}`);
    this.now = options.now ?? (() => performance.now());
    this.t0 = this.now();
  }

  start(info: Record<string, string>, run: { startEpoch: number; startStep?: number; stepsPerEpoch: number }): void {
    this.stepsPerEpoch = run.stepsPerEpoch;
    const startStep = run.startStep ? { startStep: run.startStep } : {};
    this.write({ type: "run", start: new Date().toISOString(), startEpoch: run.startEpoch, ...startStep, stepsPerEpoch: run.stepsPerEpoch, every: this.every, info });
  }

  /** The open window, so that a resumed run writes the same step records as an uninterrupted one. */
  window(): MetricsWindow {
    return { loss: this.windowLoss, steps: this.windowSteps, correct: this.windowCorrect, images: this.windowImages, lastSeen: this.lastSeen, lastCorrect: this.lastCorrect };
  }

  /** Continues the window a checkpoint kept (window()). */
  restoreWindow(w: MetricsWindow): void {
    for (const k of ["loss", "steps", "correct", "images", "lastSeen", "lastCorrect"] as const) {
      if (typeof w?.[k] !== "number") throw new TypeError(`MetricsRecorder.restoreWindow: expected a window from window(), ${k} is ${JSON.stringify(w?.[k])}`);
    }
    ({ loss: this.windowLoss, steps: this.windowSteps, correct: this.windowCorrect, images: this.windowImages, lastSeen: this.lastSeen, lastCorrect: this.lastCorrect } = w);
  }

  /** Called after every training step; writes a record every `every` steps and at the epoch's last. */
  step(epoch: number, s: StepInfo): void {
    if (s.step === 1) this.lastSeen = this.lastCorrect = 0;
    this.windowLoss += s.loss;
    this.windowSteps++;
    this.windowImages += s.seen - this.lastSeen;
    this.windowCorrect += (s.correct ?? 0) - this.lastCorrect;
    this.lastSeen = s.seen;
    this.lastCorrect = s.correct ?? 0;
    if (s.step % this.every !== 0 && s.step !== s.steps) return;
    this.write({
      type: "step", epoch, step: s.step, steps: s.steps, globalStep: (epoch - 1) * s.steps + s.step,
      loss: this.windowLoss / this.windowSteps,
      ...(s.correct !== undefined && { accuracy: this.windowCorrect / this.windowImages }),
      imagesPerSecond: imagesPerSecond(s), time: this.seconds(),
    });
    this.windowLoss = this.windowSteps = this.windowCorrect = this.windowImages = 0;
  }

  epoch(epoch: number, train: EpochStats, test: EvalStats, memory: EpochMemoryFields = {}): void {
    this.write({
      type: "epoch", epoch, globalStep: epoch * this.stepsPerEpoch,
      trainLoss: train.loss, ...(train.accuracy !== undefined && { trainAccuracy: train.accuracy }),
      testLoss: test.loss, testAccuracy: test.accuracy,
      imagesPerSecond: train.imagesPerSecond, seconds: train.seconds, time: this.seconds(),
      ...memory,
    });
  }

  private seconds(): number {
    return Math.round(this.now() - this.t0) / 1000;
  }

  private write(record: MetricsRecord): void {
    this.sink(JSON.stringify(record));
  }
}

export interface MetricsLog {
  runs: RunRecord[];
  steps: StepRecord[];
  epochs: EpochRecord[];
}

/**
 * Reads a metrics log. A resumed run appends a new "run" record; records after its start (epoch
 * startEpoch, then startStep steps into the next) that an interrupted earlier run left behind are
 * dropped, so each step and each epoch appears once.
 * A torn last line (a run killed mid-write) is ignored; any other bad line is an error naming it.
 */
export function parseMetrics(text: string, source = "metrics log"): MetricsLog {
  const log: MetricsLog = { runs: [], steps: [], epochs: [] };
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let r: MetricsRecord;
    try {
      r = JSON.parse(line) as MetricsRecord;
    } catch {
      if (i === lines.length - 1) return;
      throw new Error(`${source}: line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
    if (r.type === "run") {
      const startStep = r.startStep ?? 0;
      log.steps = log.steps.filter((s) => s.epoch <= r.startEpoch || (s.epoch === r.startEpoch + 1 && s.step <= startStep));
      log.epochs = log.epochs.filter((e) => e.epoch <= r.startEpoch);
      log.runs.push(r);
    } else if (r.type === "step") log.steps.push(r);
    else if (r.type === "epoch") log.epochs.push(r);
    else throw new Error(`${source}: line ${i + 1} has unknown type ${JSON.stringify((r as { type?: unknown }).type)} (expected run, step or epoch)`);
  });
  return log;
}
