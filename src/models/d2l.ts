// d2l's helpers: initialisation and narrow widths. d2l builds its networks from lazy layers, which have no
// weights until the first forward pass; `apply_init` runs one batch through the network to
// create them and then applies `init_cnn` (Xavier-uniform weights) to every Linear and Conv2d.
// Without that pass an optimizer built from model.parameters() would see no lazy weights.

import { noGrad } from "../autograd/grad-mode.js";
import { zeros } from "../creation.js";
import { xavierUniform_ } from "../nn/init.js";
import { Conv2d, Linear } from "../nn/layers.js";
import type { Module } from "../nn/module.js";

/**
 * d2l.init_cnn: Xavier-uniform weights for Linear and Conv2d layers, biases unchanged. A lazy
 * layer is neither until its first forward pass turns it into one, so it is skipped before.
 * @example
 * const fc = new nn.Linear(100, 100);
 * models.initCnn(fc);
 * fc.weight.abs().max().item() <= Math.sqrt(6 / 200) // => true
 */
export function initCnn(m: Module): void {
  if (m instanceof Linear || m instanceof Conv2d) xavierUniform_(m.weight);
}

/**
 * d2l's `model.apply_init([X], init)`: one forward pass on zeros of `inputShape` (batch 1 is
 * enough) creates the lazy layers' weights, then `init` is applied to every module.
 * @example models.applyInit(new nn.LazyLinear(3), [1, 5]).weight // shape [3, 5]
 */
export function applyInit<M extends Module>(model: M, inputShape: readonly number[], init: (m: Module) => void = initCnn): M {
  const wasTraining = model.training;
  // Evaluation mode: the pass must not move batch-norm running statistics or draw dropout masks.
  model.eval();
  noGrad(() => model.forward(zeros(inputShape)));
  model.train(wasTraining);
  return model.apply(init);
}

/**
 * Conv channels divided by `widthDivisor` (at least 1), as d2l's narrow nets.
 * @example models.narrow(64, 4, "vgg") // => 16
 */
export function narrow(channels: number, widthDivisor: number, op: string): number {
  if (!Number.isInteger(widthDivisor) || widthDivisor < 1) throw new RangeError(`${op}: widthDivisor must be a positive integer, got ${widthDivisor}`);
  return Math.max(1, Math.floor(channels / widthDivisor));
}
