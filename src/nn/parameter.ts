// A Parameter is a leaf tensor that requires grad and that Modules find by reflection.

import type { Storage } from "../core/dtype.js";
import { Tensor } from "../tensor.js";

/**
 * A tensor that requires grad and that a Module lists in parameters() and its state dict (torch.nn.Parameter).
 * @example new nn.Parameter(torch.zeros([3])).requiresGrad // => true
 */
export class Parameter extends Tensor {
  constructor(data: Storage | Tensor, shape?: readonly number[]) {
    const t = data instanceof Tensor ? data : new Tensor(data, shape ?? [data.length]);
    super(t.data, t.shape, { requiresGrad: true });
  }
}
