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
// Both dx as kernels.batchNormBackwardInput computes them: dx = s dy + b (x - mean) + c, with
// s = invstd * weight (and in training b = -s invstd sum(dy xhat) / M, c = -s sum(dy) / M).
// The per-element passes are kernels (kernels/ref/norm.ts, the WebAssembly ones for float32).

import { makeResult } from "../autograd/function.js";
import type { BackwardFn } from "../autograd/node.js";
import { alloc, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { kernels, type NormDims } from "../kernels/index.js";
import type { Activation } from "../kernels/ref/elementwise.js";
import { Tensor } from "../tensor.js";

/**
 * Batch normalization over dim 1: x: (N, C, ...), runningMean, runningVar, weight, bias: (C).
 * Training uses the batch's statistics and updates the running ones in place (momentum 0.1, unbiased variance);
 * evaluation (training = false, the default) uses the running ones.
 * @throws RangeError on statistics that are not (C), or a training batch with one value per channel.
 * @example F.batchNorm(torch.tensor([[1], [3]]), null, null, null, null, true) // => [[-1], [1]]
 * @example
 * const runningMean = torch.zeros([1]), runningVar = torch.ones([1]);
 * F.batchNorm(torch.tensor([[1], [3]]), runningMean, runningVar, null, null, true) // => [[-1], [1]]
 * runningMean // => [0.2]
 * runningVar // => [1.1]
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
  return batchNormThen(x, runningMean, runningVar, weight, bias, training, momentum, eps);
}

/**
 * batchNorm whose kernel also applies `act` to the output (see ops/fused.ts: the caller gives the
 * node act's derivative).
 */
export function batchNormThen(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
  act?: Activation,
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

  const d = { N, C, S };
  const { mean, invstd } = statistics(d, x.data, training, runningMean, runningVar, momentum, eps);
  // scale = invstd * weight: y = (x - mean) * scale + bias; also dx's coefficient of dy.
  const scale = Float64Array.from(invstd, (v, c) => v * (weight ? weight.data[c] : 1));
  const shift = bias ? Float64Array.from(bias.data) : new Float64Array(C);
  const y = alloc(x.dtype, x.numel);
  kernels.batchNormForward(d, x.data, mean, scale, shift, y, act);

  const inputs = [x];
  const [dx, dweight, dbias] = gradients(d, x, weight, bias, training, mean, invstd, scale);
  const backwards = [dx];
  if (weight) inputs.push(weight), backwards.push(dweight);
  if (bias) inputs.push(bias), backwards.push(dbias);
  return makeResult(op, y, [...x.shape], inputs, backwards);
}

/**
 * Per-channel mean and invstd: the batch's (the running statistics updated in place) when
 * training, else the running ones.
 */
function statistics(d: NormDims, x: Storage, training: boolean, runningMean: Tensor | null, runningVar: Tensor | null, momentum: number, eps: number) {
  const { C } = d;
  const M = d.N * d.S;
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  if (training) {
    kernels.batchNormStats(d, x, mean, invstd); // invstd holds the biased variance for now
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
  return { mean, invstd };
}

/** The backward functions for x, weight and bias. */
function gradients(d: NormDims, x: Tensor, weight: Tensor | null, bias: Tensor | null, training: boolean, mean: Float64Array, invstd: Float64Array, scale: Float64Array): BackwardFn[] {
  const { C } = d;
  const M = d.N * d.S;
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
    kernels.batchNormBackwardSums(d, x.data, dy, mean, sumDy, sumDyXhat);
    for (let c = 0; c < C; c++) sumDyXhat[c] *= invstd[c];
    return { sumDy, sumDyXhat };
  };
  const dx = (dy: Storage) => {
    const out = alloc(x.dtype, x.numel);
    // dx = scale dy + xCoef (x - mean) + constant; in evaluation the last two are 0.
    const xCoef = new Float64Array(C);
    const constant = new Float64Array(C);
    if (training) {
      const { sumDy, sumDyXhat } = dySums(dy, !weight?.requiresGrad && !bias?.requiresGrad);
      for (let c = 0; c < C; c++) {
        xCoef[c] = (-scale[c] * invstd[c] * sumDyXhat[c]) / M;
        constant[c] = (-scale[c] * sumDy[c]) / M;
      }
    }
    kernels.batchNormBackwardInput(d, x.data, dy, mean, scale, xCoef, constant, out);
    return out;
  };
  const dweight = (dy: Storage) => inStorageOf(dySums(dy, !bias?.requiresGrad).sumDyXhat, weight!.data);
  const dbias = (dy: Storage) => inStorageOf(dySums(dy, true).sumDy, bias!.data);
  return [dx, dweight, dbias];
}

/** A float64 per-channel result in the storage type of `like`. */
function inStorageOf(v: Float64Array, like: Storage): Storage {
  return like instanceof Float64Array ? v : Float32Array.from(v);
}
