// Adam, exactly as torch.optim.Adam (weight decay added to the gradient, not decoupled):
//   g = grad + weightDecay * p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The arithmetic is the kernels' (kernels/ref/optim.ts, and the WebAssembly one for float32).

import { alloc } from "../core/dtype.js";
import { powInt } from "../core/pow.js";
import { kernels } from "../kernels/index.js";
import type { Tensor } from "../tensor.js";
import { Optimizer, checkHyper, definedOnly } from "./optimizer.js";

/** The options of Adam, as torch.optim.Adam's keyword arguments. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the gradient's running mean and of its square's (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Adam, as torch.optim.Adam (bias-corrected moments; weight decay as L2, not AdamW).
 * @throws RangeError on a negative lr, eps or weight decay, or betas outside [0, 1).
 * @example
 * const w = new nn.Parameter(torch.tensor([1, -1]));
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * w // => [0.9, -0.9]
 */
export class Adam extends Optimizer {
  readonly options: Required<AdamOptions>;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, "Adam");
    this.options = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...definedOnly(options) } as Required<AdamOptions>;
    const o = this.options;
    checkHyper("Adam", "learning rate", o.lr, (v) => v >= 0, ">= 0");
    checkHyper("Adam", "epsilon value", o.eps, (v) => v >= 0, ">= 0");
    o.betas.forEach((b, i) => checkHyper("Adam", `beta parameter at index ${i}`, b, (v) => v >= 0 && v < 1, "in [0, 1)"));
    checkHyper("Adam", "weight_decay value", o.weightDecay, (v) => v >= 0, ">= 0");
  }

  protected update(p: Tensor, grad: Float32Array | Float64Array): void {
    const { lr, betas: [b1, b2], eps, weightDecay } = this.options;
    const s = this.stateOf(p);
    const n = p.numel;
    const m = (s.exp_avg ??= alloc(p.dtype, n)) as Float32Array | Float64Array;
    const v = (s.exp_avg_sq ??= alloc(p.dtype, n)) as Float32Array | Float64Array;
    const t = (s.step = ((s.step as number | undefined) ?? 0) + 1);
    // NOTE: powInt, not Math.pow, whose last bit depends on the Node version (core/pow.ts).
    const stepSize = lr / (1 - powInt(b1, t));
    const bc2Sqrt = Math.sqrt(1 - powInt(b2, t));
    kernels.adamUpdate(p.data, grad, m, v, { stepSize, b1, b2, eps, bc2Sqrt, weightDecay });
  }
}
