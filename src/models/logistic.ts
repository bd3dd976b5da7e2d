// The homework's logistic regression (seeds/000, Problem 5): one Linear(784, 1) on flattened
// 28x28 images. The label y is -1 or +1 and the prediction is sign(z).

import { Linear } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import { add, mul, neg, sigmoid } from "../ops/elementwise.js";
import { softMargin } from "../ops/loss.js";
import { mean } from "../ops/reduce.js";
import { reshape } from "../ops/shape.js";
import type { Tensor } from "../tensor.js";

/**
 * The homework's logistic regression: one Linear(inputDim (default 784), 1) without bias on the flattened input; x (N, ...) -> (N, 1).
 * @example new models.LogisticRegression(4).forward(torch.zeros([3, 2, 2])) // shape [3, 1]
 */
export class LogisticRegression extends Module {
  linear: Linear;

  constructor(inputDim = 28 * 28, options: { bias?: boolean } = {}) {
    super();
    this.linear = new Linear(inputDim, 1, { bias: options.bias ?? false });
  }

  forward(x: Tensor): Tensor {
    return this.linear.forward(reshape(x, [-1, this.linear.inFeatures]));
  }
}

/**
 * A LogisticRegression (options: inputDim default 784, bias default false).
 * @example models.logisticRegression().numParameters() // => 784
 */
export function logisticRegression(options: { bias?: boolean; inputDim?: number } = {}): LogisticRegression {
  return new LogisticRegression(options.inputDim, options);
}

/**
 * The homework's logistic loss: -logsigmoid(y z), averaged over the batch (PyTorch's
 * soft_margin_loss; the same bits as composing mul, logsigmoid, neg and mean, in one graph node).
 * @example models.logisticLoss(torch.tensor([[0], [0]]), torch.tensor([[1], [-1]])) // => 0.693147
 */
export function logisticLoss(output: Tensor, target: Tensor): Tensor {
  return softMargin(output, target, "mean");
}

/**
 * The homework's sum-of-squares loss on sigmoids, averaged over the batch:
 * 1/2 (1 - y) ((1 - s(-z))^2 + s(z)^2) + 1/2 (1 + y) (s(-z)^2 + (1 - s(z))^2)
 * @example models.sumOfSquaresLoss(torch.tensor([[0]]), torch.tensor([[1]])) // => 0.5
 */
export function sumOfSquaresLoss(output: Tensor, target: Tensor): Tensor {
  const y = reshape(target, output.shape);
  const sPos = sigmoid(output);
  const sNeg = sigmoid(neg(output));
  const sq = (t: Tensor) => mul(t, t);
  const one = (t: Tensor) => add(neg(t), 1); // 1 - t
  const negative = mul(mul(one(y), 0.5), add(sq(one(sNeg)), sq(sPos)));
  const positive = mul(mul(add(y, 1), 0.5), add(sq(sNeg), sq(one(sPos))));
  return mean(add(negative, positive));
}
