// Dropout (torch.nn.functional.dropout): in training, each element is zeroed with probability
// p and the survivors are scaled by 1 / (1 - p), so the expected value is unchanged; in
// evaluation it is the identity. The mask comes from the default generator, so
// torch.manualSeed(n) makes it reproducible.

import { makeResult } from "../autograd/function.js";
import { alloc } from "../core/dtype.js";
import { defaultGenerator } from "../core/random.js";
import { Tensor } from "../tensor.js";

export function checkDropoutP(op: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${p}`);
}

/**
 * Zeroes each element with probability p (default 0.5) and scales the rest by 1 / (1 - p) when `training` (default true); x itself otherwise.
 * @throws RangeError when p is not in [0, 1].
 * @example F.dropout(torch.ones([4]), 0.5, false) // => [1, 1, 1, 1]
 * @example F.dropout(torch.ones([1000]), 0.5).sum().item() > 0 // => true
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkDropoutP("dropout", p);
  if (!training || p === 0) return x;
  // mask[i] is 0 or 1 / (1 - p); p = 1 drops everything (scale unused).
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = alloc(x.dtype, x.numel);
  for (let i = 0; i < mask.length; i++) mask[i] = defaultGenerator.random() < p ? 0 : scale;
  const xd = x.data;
  const y = alloc(x.dtype, x.numel);
  for (let i = 0; i < y.length; i++) y[i] = xd[i] * mask[i];
  return makeResult("dropout", y, [...x.shape], [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * mask[i];
      return dx;
    },
  ]);
}
