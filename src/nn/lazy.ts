// Lazy layers, as torch.nn.LazyLinear / LazyConv2d / LazyBatchNorm2d: the input size
// (in_features, in_channels, num_features) is read from the first input.
// Before the first forward, their parameters are UninitializedParameters (shape [0], no
// values), as PyTorch's: parameters() returns them, so an optimizer may be built first. The
// first forward builds the concrete layer (Linear, Conv2d, BatchNorm2d) for that input, with
// PyTorch's default initialisation, and the lazy module becomes it in place, as PyTorch's
// cls_to_become: each UninitializedParameter takes the new values into the same object (an
// optimizer holding it keeps working) and the module's class changes, so `m instanceof
// nn.Conv2d` holds afterwards (d2l's init_cnn tests exactly that).
// NOTE: run one forward (e.g. summary(model, shape)) before initialising weights by hand;
// an init function on a [0]-shaped placeholder throws.

import type { Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import type { Pair } from "../ops/args.js";
import type { Tensor } from "../tensor.js";
import { Conv2d, Linear, type Conv2dLayerOptions } from "./layers.js";
import { Module } from "./module.js";
import { BatchNorm2d, type BatchNormOptions } from "./norm.js";
import { Parameter } from "./parameter.js";

/**
 * A parameter whose shape is not known yet: no values until its lazy module's first forward.
 * @example new nn.LazyLinear(3).weight instanceof nn.UninitializedParameter // => true
 */
export class UninitializedParameter extends Parameter {
  constructor() {
    super(new Float32Array(0), [0]);
  }

  /** Takes `from`'s shape and values into this same object, which becomes a plain Parameter. */
  materialize(from: Tensor): Parameter {
    // NOTE: data and shape are readonly for users; this is the one place that rebinds them,
    // so that every holder of this object (an optimizer) sees the materialised parameter.
    (this as { data: Storage }).data = from.data;
    this.shape.splice(0, this.shape.length, ...from.shape);
    Object.setPrototypeOf(this, Parameter.prototype);
    return this;
  }
}

/** The shared first-forward logic: build the concrete module, then become it. */
abstract class LazyModule<T extends Module> extends Module {
  /** The concrete module for this first input, built with PyTorch's default initialisation. */
  protected abstract build(x: Tensor): T;

  forward(x: Tensor): Tensor {
    // Still lazy: materialise. (summary() may call this again after the change of class.)
    if (this instanceof LazyModule) becomeModule(this, this.build(x));
    return (Object.getPrototypeOf(this) as Module).forward.call(this, x);
  }
}

/** Moves `built`'s state into `lazy` (placeholders materialised in place) and gives it `built`'s class. */
function becomeModule(lazy: Module, built: Module): void {
  const target = lazy as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(built)) {
    if (k === "training") continue; // the lazy module's train()/eval() mode stays
    const mine = target[k];
    target[k] = mine instanceof UninitializedParameter && v instanceof Parameter ? mine.materialize(v) : v;
  }
  Object.setPrototypeOf(lazy, Object.getPrototypeOf(built));
}

const placeholder = (present: boolean) => (present ? new UninitializedParameter() : null);

/**
 * Linear with in_features = the last dim of the first input.
 * @example
 * const fc = new nn.LazyLinear(10);
 * fc.forward(torch.zeros([2, 84])) // shape [2, 10]
 * fc.weight // shape [10, 84]
 */
export class LazyLinear extends LazyModule<Linear> {
  weight: Parameter = new UninitializedParameter();
  bias: Parameter | null;

  constructor(readonly outFeatures: number, readonly options: { bias?: boolean } = {}) {
    super();
    this.bias = placeholder(options.bias ?? true);
  }

  protected build(x: Tensor): Linear {
    return new Linear(x.shape[x.ndim - 1], this.outFeatures, this.options);
  }
}

/**
 * Conv2d with in_channels = dim 1 of the first (N, C, H, W) input (dim 0 of an unbatched one).
 * @example new nn.LazyConv2d(6, 5).forward(torch.zeros([1, 3, 32, 32])) // shape [1, 6, 28, 28]
 */
export class LazyConv2d extends LazyModule<Conv2d> {
  weight: Parameter = new UninitializedParameter();
  bias: Parameter | null;

  constructor(readonly outChannels: number, readonly kernelSize: Pair, readonly options: Conv2dLayerOptions = {}) {
    super();
    this.bias = placeholder(options.bias ?? true);
  }

  protected build(x: Tensor): Conv2d {
    return new Conv2d(x.shape[x.ndim - 3], this.outChannels, this.kernelSize, this.options);
  }
}

/**
 * BatchNorm2d with num_features = dim 1 of the first input.
 * @example new nn.LazyBatchNorm2d().forward(torch.randn([2, 4, 3, 3])) // shape [2, 4, 3, 3]
 */
export class LazyBatchNorm2d extends LazyModule<BatchNorm2d> {
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(readonly options: BatchNormOptions = {}) {
    super();
    this.weight = placeholder(options.affine ?? true);
    this.bias = placeholder(options.affine ?? true);
  }

  protected build(x: Tensor): BatchNorm2d {
    if (x.ndim !== 4) throw new RangeError(`LazyBatchNorm2d: expected 4D input, got shape ${shapeStr(x.shape)}`);
    return new BatchNorm2d(x.shape[1], this.options);
  }
}
