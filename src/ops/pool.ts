// 2-D average and max pooling. x is (N, C, H, W) or (C, H, W); y is (N, C, OH, OW).
// The stride defaults to the kernel size; average pooling counts padded zeros (PyTorch's
// default countIncludePad = true).

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { kernels, slidingOutputSize, type PoolGeometry } from "../kernels/index.js";
import type { Activation } from "../kernels/ref/elementwise.js";
import { Tensor } from "../tensor.js";
import { pair, type Pair } from "./args.js";

/** The options of F.maxPool2d and F.avgPool2d (and their layers). */
export interface Pool2dOptions {
  /** Window step: a number or [sh, sw] (default: the kernel size). */
  stride?: Pair;
  /** Implicit padding on each side (default 0): -Infinity for max pooling, zeros for average pooling. */
  padding?: Pair;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

/** The options of F.avgPool2d and nn.AvgPool2d. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Whether padded zeros count in each window's average (default true). */
  countIncludePad?: boolean;
}

function poolGeometry(op: string, x: Tensor, kernelSize: Pair, o: Pool2dOptions): { g: PoolGeometry; outShape: number[] } {
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D or 4-D input, got shape ${shapeStr(x.shape)}`);
  const [KH, KW] = pair(op, "kernelSize", kernelSize, 1);
  const [SH, SW] = pair(op, "stride", o.stride ?? [KH, KW], 1);
  const [PH, PW] = pair(op, "padding", o.padding ?? 0, 0);
  if (2 * PH > KH || 2 * PW > KW) {
    throw new RangeError(`${op}: padding should be at most half of the kernel size, got padding [${PH}, ${PW}] for kernel [${KH}, ${KW}]`);
  }
  const [H, W] = x.shape.slice(-2);
  const out = (inp: number, k: number, s: number, p: number) => {
    let n = slidingOutputSize(inp, k, s, p, 1, o.ceilMode);
    // PyTorch: in ceil mode the last window must start inside the input or the left padding.
    if (o.ceilMode && (n - 1) * s >= inp + p) n--;
    return n;
  };
  const OH = out(H, KH, SH, PH);
  const OW = out(W, KW, SW, PW);
  if (OH < 1 || OW < 1) {
    throw new RangeError(`${op}: kernel size ${KH}x${KW} is larger than the padded input ${H + 2 * PH}x${W + 2 * PW} (input shape ${shapeStr(x.shape)})`);
  }
  const NC = x.numel / (H * W);
  return { g: { NC, H, W, KH, KW, SH, SW, PH, PW, OH, OW }, outShape: [...x.shape.slice(0, -2), OH, OW] };
}

/** Allocates the output and wires one backward that writes dx from dy (also ops/adaptive-pool.ts). */
export function pool(op: string, x: Tensor, g: PoolGeometry, outShape: number[], forward: (y: Storage) => void, backward: (dy: Storage, dx: Storage) => void): Tensor {
  const y = alloc(x.dtype, g.NC * g.OH * g.OW);
  forward(y);
  return makeResult(op, y, outShape, [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      backward(dy, dx);
      return dx;
    },
  ]);
}

/**
 * Average of each window: x: (N, C, H, W) -> (N, C, OH, OW), or (C, H, W) -> (C, OH, OW).
 * @throws RangeError on an input that is not 3-D or 4-D, padding larger than half the kernel, or a kernel larger than the padded input.
 * @example F.avgPool2d(torch.tensor([[[[1, 2], [3, 4]]]]), 2) // => [[[[2.5]]]]
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  return avgPool2dThen(x, kernelSize, options);
}

/** avgPool2d whose kernel also applies `act` to the output (see ops/fused.ts). */
export function avgPool2dThen(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions, act?: Activation): Tensor {
  const { g, outShape } = poolGeometry("avgPool2d", x, kernelSize, options);
  const include = options.countIncludePad ?? true;
  return pool("avgPool2d", x, g, outShape,
    (y) => kernels.avgPool2dForward(g, x.data, y, include, act),
    (dy, dx) => kernels.avgPool2dBackward(g, dy, dx, include));
}

/**
 * Maximum of each window: x: (N, C, H, W) -> (N, C, OH, OW), or (C, H, W) -> (C, OH, OW); the gradient goes to each window's maximum.
 * @throws RangeError on an input that is not 3-D or 4-D, padding larger than half the kernel, or a kernel larger than the padded input.
 * @example F.maxPool2d(torch.tensor([[[[1, 2], [3, 4]]]]), 2) // => [[[[4]]]]
 * @example F.maxPool2d(torch.zeros([1, 6, 28, 28]), 2, { stride: 2 }) // shape [1, 6, 14, 14]
 * @example F.maxPool2d(torch.zeros([6, 28, 28]), 2) // shape [6, 14, 14]
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return maxPool2dThen(x, kernelSize, options);
}

/** maxPool2d whose kernel also applies `act` to the output (see ops/fused.ts). */
export function maxPool2dThen(x: Tensor, kernelSize: Pair, options: Pool2dOptions, act?: Activation): Tensor {
  const { g, outShape } = poolGeometry("maxPool2d", x, kernelSize, options);
  const argmax = new Int32Array(g.NC * g.OH * g.OW);
  return pool("maxPool2d", x, g, outShape,
    (y) => kernels.maxPool2dForward(g, x.data, y, argmax, act),
    (dy, dx) => kernels.maxPool2dBackward(g, dy, argmax, dx));
}
