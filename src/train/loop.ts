// One training epoch and one evaluation pass (train/fit.ts runs the epochs around them).
// Plain functions over a model, an optimizer, a loss and batches; progress goes to a callback.

import { noGrad } from "../autograd/grad-mode.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";

export type LossFn = (output: Tensor, target: Tensor) => Tensor;
export type Batches = Iterable<[Tensor, Tensor]> & { length: number };

export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  /** Images seen so far in the epoch (in a resumed epoch, those before the resume too). */
  seen: number;
  /** Milliseconds since this process began the epoch's training pass (or resumed it). */
  elapsedMs: number;
  /** Correct predictions so far in the epoch, when trainEpoch was given `isCorrect`. */
  correct?: number;
  /** In a resumed epoch: the images seen before the resume (not in elapsedMs). */
  seenBefore?: number;
}

/** Training speed so far in the epoch, in images per second (of this process's part of it). */
export function imagesPerSecond(s: StepInfo): number {
  return ((s.seen - (s.seenBefore ?? 0)) / s.elapsedMs) * 1000;
}

export interface EpochStats {
  /** Mean of the per-batch losses. */
  loss: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** Training accuracy over the epoch, when trainEpoch was given `isCorrect`. */
  accuracy?: number;
}

/** Raised when the loss stops being a finite number; the caller keeps its last good checkpoint. */
export class NonFiniteLossError extends Error {
  constructor(readonly loss: number, readonly step: number) {
    super(`the loss became ${loss} at step ${step}; training stopped (try a smaller learning rate)`);
  }
}

/** Raised by trainEpoch when its `shouldStop` says so, before the next step. */
export class StopRequested extends Error {
  constructor(readonly step: number) {
    super(`training stopped on request before step ${step + 1}`);
  }
}

/**
 * An epoch's running totals after `step` steps (JSON-able: a mid-epoch checkpoint keeps them, so
 * the resumed epoch reports the same loss and accuracy as one that was never interrupted).
 */
export interface EpochTotals {
  step: number;
  /** Sum of the batch losses so far. */
  lossSum: number;
  /** Images seen so far. */
  seen: number;
  /** Correct predictions so far (0 without `isCorrect`). */
  correct: number;
}

export function emptyTotals(): EpochTotals {
  return { step: 0, lossSum: 0, seen: 0, correct: 0 };
}

/**
 * One pass over `batches`: forward, loss, backward, optimizer step. `shouldStop` is polled
 * before every step (a stop request from another thread: the server's, the page's). `totals`
 * (updated in place after each step, before `onStep`) continues an epoch cut short: `batches`
 * then yields the rest of the epoch only (a DataLoader after loadStateDict) while its `length`
 * stays the whole epoch's, and steps are numbered on from `totals.step`.
 */
export function trainEpoch(
  model: Module, optimizer: Optimizer, lossFn: LossFn, batches: Batches, onStep?: (s: StepInfo) => void,
  isCorrect?: (output: Tensor, target: Tensor) => number, shouldStop?: () => boolean, totals: EpochTotals = emptyTotals(),
): EpochStats {
  model.train();
  const start = performance.now();
  const t = totals;
  const seenBefore = t.seen;
  for (const [x, y] of batches) {
    if (shouldStop?.()) throw new StopRequested(t.step);
    optimizer.zeroGrad();
    const output = model.forward(x);
    const loss = lossFn(output, y);
    const value = loss.item();
    if (!Number.isFinite(value)) throw new NonFiniteLossError(value, t.step + 1);
    // NOTE: before backward, which may release the graph's buffers (the output's included).
    if (isCorrect) t.correct += isCorrect(output, y);
    loss.backward();
    optimizer.step();
    t.lossSum += value;
    t.seen += x.shape[0];
    t.step++;
    onStep?.({
      step: t.step, steps: batches.length, loss: value, seen: t.seen, elapsedMs: performance.now() - start,
      ...(isCorrect && { correct: t.correct }), ...(seenBefore > 0 && { seenBefore }),
    });
  }
  const seconds = (performance.now() - start) / 1000;
  // Images per second over this process's part of the epoch (a resumed epoch's seconds start at the resume).
  return {
    loss: t.lossSum / Math.max(t.step, 1), images: t.seen, seconds, imagesPerSecond: (t.seen - seenBefore) / seconds,
    ...(isCorrect && { accuracy: t.correct / Math.max(t.seen, 1) }),
  };
}

export interface EvalStats {
  /** Sum of per-batch losses divided by the number of images (the seed's "Average loss"). */
  seedAverageLoss: number;
  /** Mean loss per batch. */
  loss: number;
  correct: number;
  total: number;
  accuracy: number;
  seconds: number;
}

/**
 * Evaluates without recording a graph. `isCorrect` compares outputs with targets and returns
 * how many are right (argmax for classifiers, sign agreement for the +-1 logistic model).
 */
export function evaluate(model: Module, lossFn: LossFn, batches: Batches, isCorrect: (output: Tensor, target: Tensor) => number): EvalStats {
  const wasTraining = model.training;
  model.eval();
  const start = performance.now();
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  let n = 0;
  noGrad(() => {
    for (const [x, y] of batches) {
      const out = model.forward(x);
      lossSum += lossFn(out, y).item();
      correct += isCorrect(out, y);
      total += x.shape[0];
      n++;
    }
  });
  model.train(wasTraining);
  return { seedAverageLoss: lossSum / total, loss: lossSum / Math.max(n, 1), correct, total, accuracy: correct / total, seconds: (performance.now() - start) / 1000 };
}

/** Number of rows whose argmax equals the class index target. */
export function countArgmaxCorrect(output: Tensor, target: Tensor): number {
  const [N, C] = output.shape;
  const o = output.data;
  let correct = 0;
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (o[n * C + c] > o[n * C + best]) best = c;
    if (best === target.data[n]) correct++;
  }
  return correct;
}

/** Number of outputs whose sign agrees with a +-1 label (output * label >= 0, as the seed). */
export function countSignCorrect(output: Tensor, target: Tensor): number {
  let correct = 0;
  for (let i = 0; i < target.numel; i++) if (output.data[i] * target.data[i] >= 0) correct++;
  return correct;
}

/** The seed's closing line: [Test set] Average loss: 0.0005, Accuracy: 9826/10000 (98.26%) */
export function formatTestLine(s: EvalStats): string {
  return `[Test set] Average loss: ${s.seedAverageLoss.toFixed(4)}, Accuracy: ${s.correct}/${s.total} (${(100 * s.accuracy).toFixed(2)}%)`;
}
