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

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

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
