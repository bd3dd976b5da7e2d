// torch.nn.init: in-place initialisers with PyTorch's formulas (fans, gains, bounds).
// NOTE: streams come from torchlet's generator, so values differ from PyTorch's for the
// same seed, but the distributions are the same.

import { defaultGenerator, type Generator } from "../core/random.js";
import type { Tensor } from "../tensor.js";

/** The activations calculateGain knows (PyTorch's names). */
export type Nonlinearity = "linear" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leaky_relu";

/** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new RangeError(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [${t.shape.join(", ")}])`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/**
 * The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain (param: leaky_relu's negative slope, default 0.01).
 * @example nn.init.calculateGain("tanh") // => 1.666667
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
  }
}

function fill(t: Tensor, draw: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = draw();
  return t;
}

/**
 * Fills t in place from U(a, b) (default U(0, 1)); returns t.
 * @example nn.init.uniform_(torch.zeros([100]), -1, 1).abs().max().item() <= 1 // => true
 */
export function uniform_(t: Tensor, a = 0, b = 1, gen: Generator = defaultGenerator): Tensor {
  return fill(t, () => gen.uniform(a, b));
}

/**
 * Fills t in place from N(mean, std^2) (default N(0, 1)); returns t.
 * @example nn.init.normal_(torch.zeros([3]), 5, 0).toArray() // => [5, 5, 5]
 */
export function normal_(t: Tensor, mean = 0, std = 1, gen: Generator = defaultGenerator): Tensor {
  return fill(t, () => mean + std * gen.normal());
}

/**
 * Fills t with zeros in place; returns t.
 * @example nn.init.zeros_(torch.ones([2])) // => [0, 0]
 */
export const zeros_ = (t: Tensor) => fill(t, () => 0);
/**
 * Fills t with ones in place; returns t.
 * @example nn.init.ones_(torch.zeros([2])) // => [1, 1]
 */
export const ones_ = (t: Tensor) => fill(t, () => 1);
/**
 * Fills t with v in place; returns t.
 * @example nn.init.constant_(torch.zeros([2]), 3) // => [3, 3]
 */
export const constant_ = (t: Tensor, v: number) => fill(t, () => v);

/** The options of kaimingUniform_ and kaimingNormal_, as PyTorch's keyword arguments. */
export interface KaimingOptions {
  /** leaky_relu's negative slope (default 0). */
  a?: number;
  /** Preserve the variance of the forward pass ("fanIn", the default) or of the backward pass ("fanOut"). */
  mode?: "fanIn" | "fanOut";
  /** The activation after the layer (default "leaky_relu", as PyTorch). */
  nonlinearity?: Nonlinearity;
  /** The random stream (default: the one torch.manualSeed seeds). */
  generator?: Generator;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (o.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He initialization, as torch.nn.init.kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan); returns t.
 * @example nn.init.kaimingUniform_(torch.zeros([64, 3, 3, 3]), { nonlinearity: "relu" }).abs().max().item() <= Math.sqrt(6 / 27) // => true
 */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -bound, bound, o.generator);
}

/**
 * He initialization, as torch.nn.init.kaiming_normal_: N(0, (gain / sqrt(fan))^2); returns t.
 * @example nn.init.kaimingNormal_(torch.zeros([8, 4]), { mode: "fanOut" }) // shape [8, 4]
 */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o), o.generator);
}

/**
 * Glorot initialization, as torch.nn.init.xavier_uniform_: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)); returns t.
 * @example nn.init.xavierUniform_(torch.zeros([10, 20])).abs().max().item() <= Math.sqrt(6 / 30) // => true
 */
export function xavierUniform_(t: Tensor, gain = 1, gen: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, gen);
}

/**
 * Glorot initialization, as torch.nn.init.xavier_normal_: N(0, gain^2 * 2 / (fan_in + fan_out)); returns t.
 * @example nn.init.xavierNormal_(torch.zeros([10, 20])) // shape [10, 20]
 */
export function xavierNormal_(t: Tensor, gain = 1, gen: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), gen);
}

/**
 * The default init of Linear and Conv layers (PyTorch's reset_parameters): weights
 * kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)); bias U(-b, b)
 * with the same b = 1/sqrt(fan_in).
 */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
