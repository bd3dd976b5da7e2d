// SGD with momentum, dampening, Nesterov and weight decay, exactly as torch.optim.SGD:
//   g = grad + weightDecay * p
//   buf = g (first step) | momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf        (when momentum != 0)
//   p -= lr * g
// The arithmetic is the kernels' (kernels/ref/optim.ts, and the WebAssembly one for float32).

import { alloc } from "../core/dtype.js";
import { kernels } from "../kernels/index.js";
import type { Tensor } from "../tensor.js";
import { Optimizer, checkHyper, definedOnly } from "./optimizer.js";

/** The options of SGD, as torch.optim.SGD's keyword arguments (lr is required). */
export interface SGDOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional momentum, Nesterov and weight decay, as torch.optim.SGD.
 * @throws RangeError on a negative lr, momentum or weight decay, or Nesterov without momentum.
 * @example
 * const w = new nn.Parameter(torch.tensor([1, 2]));
 * const opt = new optim.SGD([w], { lr: 0.1 });
 * w.mul(w).sum().backward(); // dL/dw = 2w
 * opt.step();
 * w // => [0.8, 1.6]
 * opt.zeroGrad();
 * w.grad // => null
 * @example new optim.SGD(models.lenet5().parameters(), { lr: -1 }) // throws RangeError: learning rate
 */
export class SGD extends Optimizer {
  readonly options: Required<SGDOptions>;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, "SGD");
    this.options = { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...definedOnly(options) } as Required<SGDOptions>;
    const o = this.options;
    checkHyper("SGD", "learning rate", o.lr, (v) => v >= 0, ">= 0");
    checkHyper("SGD", "momentum value", o.momentum, (v) => v >= 0, ">= 0");
    checkHyper("SGD", "weight_decay value", o.weightDecay, (v) => v >= 0, ">= 0");
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected update(p: Tensor, grad: Float32Array | Float64Array): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this.options;
    let buf: Float32Array | Float64Array | null = null;
    let first = false;
    if (momentum !== 0) {
      const s = this.stateOf(p);
      first = s.momentum_buffer === undefined;
      buf = (s.momentum_buffer ??= alloc(p.dtype, p.numel)) as Float32Array | Float64Array;
    }
    kernels.sgdUpdate(p.data, grad, buf, { lr, momentum, dampening, nesterov, weightDecay, first });
  }
}
