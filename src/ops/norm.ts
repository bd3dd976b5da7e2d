// Batch normalisation (torch.nn.functional.batch_norm) with a hand-written backward.
//   x is (N, C) or (N, C, L) or (N, C, H, W): viewed as (N, C, S), M = N * S values per channel.
//   y[n, c, s] = (x - mean[c]) * invstd[c] * weight[c] + bias[c],  invstd = 1 / sqrt(var + eps)
// Training uses the batch's mean and biased variance and updates the running statistics in
// place: running = (1 - momentum) * running + momentum * batch stat (the variance unbiased,
// times M / (M - 1)). Evaluation uses the running statistics, which are then constants.
// Backward with xhat = (x - mean) * invstd and g = dy * weight:
//   training: dx = invstd / M * (M g - sum(g) - xhat * sum(g xhat))   (sums over n, s)
//   eval:     dx = g * invstd
//   dweight = sum(dy * xhat),  dbias = sum(dy)

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";

/**
 * @example F.batchNorm(x, runningMean, runningVar, weight, bias, true) // training step: batch stats, running stats updated
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  const op = "batchNorm";
  if (x.ndim < 2) throw new RangeError(`${op}: expected an input of at least 2 dims (N, C, ...), got shape ${shapeStr(x.shape)}`);
  const [N, C] = x.shape;
  const S = x.numel / (N * C || 1);
  const M = N * S;
  for (const [name, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new RangeError(`${op}: expected ${name} of shape [${C}] for input ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
  }
  if (!training && (!runningMean || !runningVar)) throw new RangeError(`${op}: runningMean and runningVar must be given in evaluation mode (training = false)`);
  if ((runningMean === null) !== (runningVar === null)) throw new RangeError(`${op}: give both runningMean and runningVar, or neither`);
  if (training && M <= 1) throw new RangeError(`${op}: expected more than 1 value per channel when training, got input size ${shapeStr(x.shape)}`);
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be non-negative, got ${eps}`);

  const xd = x.data;
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    channelMoments(xd, N, C, S, mean, invstd); // invstd holds the biased variance for now
    if (runningMean && runningVar) {
      for (let c = 0; c < C; c++) {
        runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * mean[c];
        runningVar.data[c] = (1 - momentum) * runningVar.data[c] + momentum * invstd[c] * (M / (M - 1));
      }
    }
    for (let c = 0; c < C; c++) invstd[c] = 1 / Math.sqrt(invstd[c] + eps);
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = runningMean!.data[c];
      invstd[c] = 1 / Math.sqrt(runningVar!.data[c] + eps);
    }
  }

  const w = (c: number) => (weight ? weight.data[c] : 1);
  const y = alloc(x.dtype, x.numel);
  forEachChannel(N, C, S, (c, i0) => {
    const m = mean[c], k = invstd[c] * w(c), b = bias ? bias.data[c] : 0;
    for (let i = i0; i < i0 + S; i++) y[i] = (xd[i] - m) * k + b;
  });

  /**
   * Per channel: sum(dy) and sum(dy * xhat); dx, dweight and dbias get the same dy, one after
   * another in that order, so they are computed once. The last of them that the engine will ask
   * for drops them: a later backward (retainGraph) may pass a recycled array, the same object
   * with other values (core/pool.ts).
   */
  let cache: { dy: Storage; sums: { sumDy: Float64Array; sumDyXhat: Float64Array } } | null = null;
  const dySums = (dy: Storage, last: boolean) => {
    const sums = cache?.dy === dy ? cache.sums : channelDySums(dy);
    cache = last ? null : { dy, sums };
    return sums;
  };
  const channelDySums = (dy: Storage) => {
    const sumDy = new Float64Array(C);
    const sumDyXhat = new Float64Array(C);
    forEachChannel(N, C, S, (c, i0) => {
      const m = mean[c];
      let a = 0, b = 0;
      for (let i = i0; i < i0 + S; i++) {
        a += dy[i];
        b += dy[i] * (xd[i] - m);
      }
      sumDy[c] += a;
      sumDyXhat[c] += b * invstd[c];
    });
    return { sumDy, sumDyXhat };
  };
  const dx = (dy: Storage) => {
    const out = alloc(x.dtype, x.numel);
    const { sumDy, sumDyXhat } = training ? dySums(dy, !weight?.requiresGrad && !bias?.requiresGrad) : { sumDy: null, sumDyXhat: null };
    forEachChannel(N, C, S, (c, i0) => {
      const k = invstd[c] * w(c);
      if (!training) {
        for (let i = i0; i < i0 + S; i++) out[i] = dy[i] * k;
        return;
      }
      const m = mean[c], is = invstd[c], meanDy = sumDy![c] / M, meanDyXhat = sumDyXhat![c] / M;
      for (let i = i0; i < i0 + S; i++) out[i] = k * (dy[i] - meanDy - (xd[i] - m) * is * meanDyXhat);
    });
    return out;
  };
  const dweight = (dy: Storage) => inStorageOf(dySums(dy, !bias?.requiresGrad).sumDyXhat, weight!.data);
  const dbias = (dy: Storage) => inStorageOf(dySums(dy, true).sumDy, bias!.data);

  const inputs = [x];
  const backwards = [dx];
  if (weight) inputs.push(weight), backwards.push(dweight);
  if (bias) inputs.push(bias), backwards.push(dbias);
  return makeResult(op, y, [...x.shape], inputs, backwards);
}

/** Calls visit(c, offset) for each contiguous run of S values of channel c. */
function forEachChannel(N: number, C: number, S: number, visit: (c: number, offset: number) => void): void {
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) visit(c, (n * C + c) * S);
}

/** Per-channel mean and biased variance, two passes in float64 (stable for large means). */
function channelMoments(x: Storage, N: number, C: number, S: number, mean: Float64Array, variance: Float64Array): void {
  const M = N * S;
  forEachChannel(N, C, S, (c, i0) => {
    for (let i = i0; i < i0 + S; i++) mean[c] += x[i];
  });
  for (let c = 0; c < C; c++) mean[c] /= M;
  forEachChannel(N, C, S, (c, i0) => {
    const m = mean[c];
    for (let i = i0; i < i0 + S; i++) variance[c] += (x[i] - m) * (x[i] - m);
  });
  for (let c = 0; c < C; c++) variance[c] /= M;
}

/** A float64 per-channel result in the storage type of `like`. */
function inStorageOf(v: Float64Array, like: Storage): Storage {
  return like instanceof Float64Array ? v : Float32Array.from(v);
}
