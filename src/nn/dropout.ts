// Dropout, as torch.nn.Dropout: zeroes each element with probability p in train() mode and
// scales the rest by 1 / (1 - p); the identity in eval() mode. torch.manualSeed seeds it.

import { checkDropoutP, dropout } from "../ops/dropout.js";
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/**
 * Zeroes each element with probability p (default 0.5) in training mode, scaling the rest by 1 / (1 - p); passes through in eval mode.
 * @throws RangeError when p is not in [0, 1].
 * @example new nn.Dropout(0.5).eval().forward(torch.ones([3])) // => [1, 1, 1]
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkDropoutP("Dropout", p);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
