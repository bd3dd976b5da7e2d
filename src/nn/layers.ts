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

/** y = x W^T + b. W is (out, in). */
export class Linear extends Module implements Fusable {
  weight: Parameter;
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

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: ConvPadding;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** 2-D convolution; weight is (out, in/groups, KH, KW). */
export class Conv2d extends Module implements Fusable {
  weight: Parameter;
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

export interface Conv1dLayerOptions extends Conv1dOptions {
  bias?: boolean;
}

/** 1-D convolution; weight is (out, in/groups, K). */
export class Conv1d extends Module {
  weight: Parameter;
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

/** @example new nn.AdaptiveAvgPool2d([1, 1]) // global average pooling, as ResNet's head */
export class AdaptiveAvgPool2d extends AdaptivePool2d {
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

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

export class AvgPool2d extends Pool2d<AvgPool2dOptions> implements Fusable {
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(avgPool2dThen(x, this.kernelSize, this.options, act), act, privateOutput);
  }
}

export class MaxPool2d extends Pool2d<Pool2dOptions> implements Fusable {
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(maxPool2dThen(x, this.kernelSize, this.options, act), act, privateOutput);
  }
}

export class Tanh extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
  fusedAs(): FusedActivation {
    return "tanh";
  }
}

export class Sigmoid extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
  fusedAs(): FusedActivation {
    return "sigmoid";
  }
}

export class ReLU extends Module implements FusableActivation {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
  fusedAs(): FusedActivation {
    return "relu";
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

// They read their input only while computing a fresh output and in their own backward (nn/fusion.ts).
for (const cls of [Linear, Conv2d, AvgPool2d, MaxPool2d, Tanh, ReLU, Sigmoid]) registerPrivateConsumer(cls.prototype);

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}
