// Losses: mseLoss is built from other ops (no backward of its own); softMarginLoss is one op
// with its own backward, because a batch-1 training step is dominated by per-op overhead.

import { makeResult } from "../autograd/function.js";
import { alloc, promote } from "../core/dtype.js";
import { Tensor } from "../tensor.js";
import { shapeStr, sameShape } from "../core/shape.js";
import { logsigmoidScalar, mul, sigmoidScalar, sub } from "./elementwise.js";
import { mean, sum } from "./reduce.js";
import type { Reduction } from "./softmax.js";

function reduce(x: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? mean(x) : reduction === "sum" ? sum(x) : x;
}

/**
 * Mean squared error, as torch.nn.functional.mse_loss.
 * Default reduction "mean".
 * @throws RangeError when input and target shapes differ.
 * @example F.mseLoss(torch.tensor([1, 2]), torch.tensor([1, 4])) // => 2
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`mseLoss: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  }
  const d = sub(input, target);
  return reduce(mul(d, d), options.reduction ?? "mean");
}

/**
 * Soft-margin loss, as torch.nn.functional.soft_margin_loss: log(1 + exp(-y x)) per element
 * (= -logsigmoid(y x)), then the reduction. Targets are +-1 labels; input and target have the
 * same shape.
 * @throws RangeError when input and target shapes differ.
 * @example F.softMarginLoss(torch.tensor([0, 0]), torch.tensor([1, -1])) // => 0.693147
 */
export function softMarginLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`softMarginLoss: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  }
  return softMargin(input, target, options.reduction ?? "mean");
}

/**
 * softMarginLoss for a target with input's number of elements in any shape (the homework's
 * logistic loss takes labels of shape (B) against outputs of shape (B, 1)).
 * NOTE: the same values, bit for bit, as neg(logsigmoid(mul(target, input))) and then mean or
 * sum: each intermediate is rounded to the dtype where those ops store it (fround for float32),
 * in the same order, forward and backward. One graph node instead of four: a batch-1 logistic-
 * regression SGD step costs a few microseconds, most of it per-op bookkeeping.
 */
export function softMargin(input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  if (input.numel !== target.numel) {
    throw new RangeError(`softMarginLoss: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} hold different numbers of elements`);
  }
  const dtype = promote(input.dtype, target.dtype);
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  const [x, t, n] = [input.data, target.data, input.numel];
  const margins = alloc(dtype, n); // y x, as mul stores it
  const losses = reduction === "none" ? alloc(dtype, n) : null;
  let total = 0;
  for (let i = 0; i < n; i++) {
    margins[i] = t[i] * x[i];
    const li = -round(logsigmoidScalar(margins[i]));
    if (losses) losses[i] = li;
    else total = round(total + li);
  }
  const scale = reduction === "mean" ? 1 / n : 1;
  const out = losses ?? alloc(dtype, 1);
  if (!losses) out[0] = reduction === "mean" ? total * scale : total;
  // d loss / d margin_i for upstream dy, rounded where neg, logsigmoid and the reduction's spread store it.
  const dMargin = (dy: ArrayLike<number>, i: number) => round(-round(dy[losses ? i : 0] * scale) * sigmoidScalar(-margins[i]));
  const grad = (other: ArrayLike<number>) => (dy: ArrayLike<number>) => {
    const g = alloc(dtype, n);
    for (let i = 0; i < n; i++) g[i] = dMargin(dy, i) * other[i];
    return g;
  };
  return makeResult("softMarginLoss", out, losses ? [...input.shape] : [], [input, target], [grad(t), grad(x)]);
}
