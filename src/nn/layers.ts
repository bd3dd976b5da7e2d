// Layers: thin modules holding parameters and calling into torch.nn.functional. Those that can
// take the activation after them in place implement forwardActivated (nn/fusion.ts).

import { alloc } from "../core/dtype.js";
import { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize } from "../ops/adaptive-pool.js";
import { conv2d, convolve2d, type ConvPadding } from "../ops/conv.js";
import { conv1d, single, type Conv1dOptions } from "../ops/conv1d.js";
import { tanh, sigmoid, relu } from "../ops/elementwise.js";
import { linear } from "../ops/matmul.js";
import { avgPool2d, avgPool2dThen, maxPool2d, maxPool2dThen, type AvgPool2dOptions, type Pool2dOptions } from "../ops/pool.js";
import { activateInPlace, fuseActivation, type FusedActivation } from "../ops/fused.js";
import { flatten } from "../ops/shape.js";
import { pair, type Pair } from "../ops/args.js";
import { Tensor } from "../tensor.js";
import { registerPrivateConsumer, type Fusable, type FusableActivation } from "./fusion.js";
import { defaultLayerInit } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

function param(shape: number[]): Parameter {
  return new Parameter(new Tensor(alloc("float32", shape.reduce((a, b) => a * b, 1)), shape));
}

/**
 * y = x W^T + b. W is (out, in).
 * x: (..., inFeatures) -> (..., outFeatures) (torch.nn.Linear); weight and bias initialized as PyTorch's (uniform, bound 1/sqrt(in)).
 * Options: bias (default true).
 * @example new nn.Linear(20, 30).forward(torch.randn([128, 20])) // shape [128, 30]
 */
export class Linear extends Module implements Fusable {
  /** (outFeatures, inFeatures). */
  weight: Parameter;
  /** (outFeatures), or null with `bias: false`. */
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    for (const [k, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    this.weight = param([outFeatures, inFeatures]);
    this.bias = options.bias ?? true ? param([outFeatures]) : null;
    defaultLayerInit(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return activateInPlace(this.forward(x), act, privateOutput);
  }

  protected override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** The keyword arguments of nn.Conv2d. */
export interface Conv2dLayerOptions {
  /** Step of the window: a number or [sh, sw] (default 1). */
  stride?: Pair;
  /** Zeros added on each side: a number, [ph, pw], "same" or "valid" (default 0). */
  padding?: ConvPadding;
  /** Spacing between the kernel's taps (default 1). */
  dilation?: Pair;
  /** Channel groups (default 1). */
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution; weight is (out, in/groups, KH, KW).
 * x: (N, C, H, W) -> (N, OC, OH, OW), as torch.nn.Conv2d(in, out, kernel_size, stride=..., padding=...).
 * @throws RangeError on a bad option or, in forward, an input with other than inChannels channels.
 * @example new nn.Conv2d(1, 6, 5, { padding: 2 }).forward(torch.zeros([1, 1, 28, 28])) // shape [1, 6, 28, 28]
 * @example new nn.Conv2d(3, 8, 3, { stride: 2, bias: false }).weight // shape [8, 3, 3, 3]
 */
export class Conv2d extends Module implements Fusable {
  /** (outChannels, inChannels / groups, KH, KW). */
  weight: Parameter;
  /** (outChannels), or null with `bias: false`. */
  bias: Parameter | null;
  readonly kernelSize: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, readonly options: Conv2dLayerOptions = {}) {
    super();
    this.kernelSize = pair("Conv2d", "kernelSize", kernelSize, 1);
    [this.weight, this.bias] = convParameters("Conv2d", inChannels, outChannels, this.kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }

  /** The convolution's kernel applies act itself: no second pass over the output. */
  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    return fuseActivation(convolve2d("conv2d", x, this.weight, this.bias, { stride, padding, dilation, groups }, act), act, privateOutput);
  }

  protected override extraRepr(): string {
    return convRepr(this.inChannels, this.outChannels, `(${this.kernelSize.join(", ")})`, this.options);
  }
}

/**
 * A conv layer's weight (out, in/groups, ...kernel) and bias with PyTorch's default init, after
 * checking channel counts, groups and padding "same" when the layer is built, as PyTorch does.
 */
function convParameters(
  op: string,
  inChannels: number,
  outChannels: number,
  kernel: readonly number[],
  o: { groups?: number; padding?: unknown; stride?: unknown; bias?: boolean },
): [Parameter, Parameter | null] {
  checkConvLayer(op, inChannels, outChannels, o);
  const weight = param([outChannels, inChannels / (o.groups ?? 1), ...kernel]);
  const bias = o.bias ?? true ? param([outChannels]) : null;
  defaultLayerInit(weight, bias);
  return [weight, bias];
}

function convRepr(inChannels: number, outChannels: number, kernel: string, o: { stride?: unknown; padding?: unknown }): string {
  const extras = [o.stride !== undefined && `stride=${JSON.stringify(o.stride)}`, o.padding !== undefined && `padding=${JSON.stringify(o.padding)}`];
  return [`${inChannels}, ${outChannels}, kernel_size=${kernel}`, ...extras.filter(Boolean)].join(", ");
}

/** Channel counts, groups and padding "same", as PyTorch checks them. */
function checkConvLayer(op: string, inChannels: number, outChannels: number, o: { groups?: number; padding?: unknown; stride?: unknown }): void {
  for (const [k, v] of [["inChannels", inChannels], ["outChannels", outChannels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${k} must be a positive integer, got ${v}`);
  }
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups || outChannels % groups) {
    throw new RangeError(`${op}: groups=${groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
  }
  const strides = o.stride === undefined ? [1] : [o.stride].flat();
  if (o.padding === "same" && strides.some((s) => s !== 1)) {
    throw new RangeError(`${op}: padding "same" is not supported for strided convolutions (stride ${JSON.stringify(o.stride)})`);
  }
}

/** The keyword arguments of nn.Conv1d. */
export interface Conv1dLayerOptions extends Conv1dOptions {
  /** Learnable bias (default true). */
  bias?: boolean;
}

/**
 * 1-D convolution; weight is (out, in/groups, K).
 * x: (N, C, L) -> (N, OC, OL), as torch.nn.Conv1d.
 * @example new nn.Conv1d(4, 2, 3, { padding: 1 }).forward(torch.zeros([1, 4, 10])) // shape [1, 2, 10]
 */
export class Conv1d extends Module {
  /** (outChannels, inChannels / groups, K). */
  weight: Parameter;
  /** (outChannels), or null with `bias: false`. */
  bias: Parameter | null;
  readonly kernelSize: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | readonly [number], readonly options: Conv1dLayerOptions = {}) {
    super();
    this.kernelSize = single("Conv1d", "kernelSize", kernelSize, 1);
    [this.weight, this.bias] = convParameters("Conv1d", inChannels, outChannels, [this.kernelSize], options);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this.options;
    return conv1d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }

  protected override extraRepr(): string {
    return convRepr(this.inChannels, this.outChannels, `(${this.kernelSize},)`, this.options);
  }
}

/** Adaptive pooling modules hold only the output size. */
abstract class AdaptivePool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  protected override extraRepr(): string {
    return `output_size=${JSON.stringify(this.outputSize)}`;
  }
}

/**
 * Average pooling to a fixed output size, whatever the input's (torch.nn.AdaptiveAvgPool2d).
 * @example new nn.AdaptiveAvgPool2d([1, 1]).forward(torch.zeros([2, 512, 7, 7])) // shape [2, 512, 1, 1]
 */
export class AdaptiveAvgPool2d extends AdaptivePool2d {
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/**
 * Max pooling to a fixed output size, whatever the input's (torch.nn.AdaptiveMaxPool2d).
 * @example new nn.AdaptiveMaxPool2d(2).forward(torch.zeros([1, 3, 9, 7])) // shape [1, 3, 2, 2]
 */
export class AdaptiveMaxPool2d extends AdaptivePool2d {
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}

/** Pooling modules share their options and their printed form. */
abstract class Pool2d<O extends Pool2dOptions> extends Module {
  constructor(readonly kernelSize: Pair, readonly options: O = {} as O) {
    super();
  }
  protected override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(o.stride ?? this.kernelSize)}, padding=${JSON.stringify(o.padding ?? 0)}`;
  }
}

/**
 * Average of each window (torch.nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0)).
 * @example new nn.AvgPool2d(2, { stride: 2 }).forward(torch.tensor([[[[1, 3], [5, 7]]]])) // => [[[[4]]]]
 */
export class AvgPool2d extends Pool2d<AvgPool2dOptions> implements Fusable {
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(avgPool2dThen(x, this.kernelSize, this.options, act), act, privateOutput);
  }
}

/**
 * Maximum of each window (torch.nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0)).
 * @example new nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(torch.zeros([1, 64, 112, 112])) // shape [1, 64, 56, 56]
 */
export class MaxPool2d extends Pool2d<Pool2dOptions> implements Fusable {
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(maxPool2dThen(x, this.kernelSize, this.options, act), act, privateOutput);
  }
}

/**
 * tanh as a layer (torch.nn.Tanh).
 * @example new nn.Tanh().forward(torch.tensor([0])) // => [0]
 */
export class Tanh extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
  fusedAs(): FusedActivation {
    return "tanh";
  }
}

/**
 * The logistic sigmoid as a layer (torch.nn.Sigmoid).
 * @example new nn.Sigmoid().forward(torch.tensor([0])) // => [0.5]
 */
export class Sigmoid extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
  fusedAs(): FusedActivation {
    return "sigmoid";
  }
}

/**
 * max(x, 0) as a layer (torch.nn.ReLU).
 * @example new nn.ReLU().forward(torch.tensor([-1, 1])) // => [0, 1]
 */
export class ReLU extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
  fusedAs(): FusedActivation {
    return "relu";
  }
}

/**
 * Returns its input (torch.nn.Identity): a placeholder where a layer is optional.
 * @example new nn.Identity().forward(torch.tensor([1, 2])) // => [1, 2]
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

// They read their input only while computing a fresh output and in their own backward (nn/fusion.ts).
for (const cls of [Linear, Conv2d, AvgPool2d, MaxPool2d, Tanh, ReLU, Sigmoid]) registerPrivateConsumer(cls.prototype);

/**
 * Flattens dims startDim..endDim (default: all but the batch dim).
 * @example new nn.Flatten().forward(torch.zeros([2, 16, 5, 5])) // shape [2, 400]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
