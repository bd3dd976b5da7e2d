// SGD with momentum, dampening, Nesterov and weight decay, exactly as torch.optim.SGD:
//   g = grad + weightDecay * p
//   buf = g (first step) | momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf        (when momentum != 0)
//   p -= lr * g

import { alloc } from "../core/dtype.js";
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
 * The plain update's last n % 8 weights.
 * NOTE: a function of its own, not a second loop in update(): V8 compiles update() on-stack
 * (OSR) inside the unrolled loop of a large tensor, and that code deoptimized at the second
 * loop on every such call ("insufficient type feedback", ~1 deopt a LeNet-5 step, seen with
 * node --trace-deopt), which also sent it back to the optimizing compiler again and again.
 */
function sgdTail(w: Float32Array | Float64Array, grad: Float32Array | Float64Array, lr: number, i: number, n: number): void {
  for (; i < n; i++) w[i] -= lr * grad[i];
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
    const w = p.data;
    const n = w.length;
    if (momentum === 0 && weightDecay === 0) {
      // NOTE: no decay term at all rather than 0 * w, as PyTorch skips it: an infinite weight
      // stays infinite instead of turning NaN (and the loop does half the work). Unrolled by
      // eight: 0.81 -> 0.60 us for 784 weights.
      let i = 0;
      for (; i + 8 <= n; i += 8) {
        w[i] -= lr * grad[i];
        w[i + 1] -= lr * grad[i + 1];
        w[i + 2] -= lr * grad[i + 2];
        w[i + 3] -= lr * grad[i + 3];
        w[i + 4] -= lr * grad[i + 4];
        w[i + 5] -= lr * grad[i + 5];
        w[i + 6] -= lr * grad[i + 6];
        w[i + 7] -= lr * grad[i + 7];
      }
      if (i < n) sgdTail(w, grad, lr, i, n);
      return;
    }
    if (momentum === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * (grad[i] + weightDecay * w[i]); // weightDecay > 0 here
      return;
    }
    const s = this.stateOf(p);
    const first = s.momentum_buffer === undefined;
    const buf = (s.momentum_buffer ??= alloc(p.dtype, n)) as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const g = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * w[i];
      buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
      w[i] -= lr * (nesterov ? g + momentum * buf[i] : buf[i]);
    }
  }
}
