// 1-D convolution (torch.nn.functional.conv1d) as a 2-D convolution of height 1:
//   x (N, C, L) -> (N, C, 1, L), w (OC, C/groups, K) -> (OC, C/groups, 1, K), y (N, OC, 1, OL) -> (N, OC, OL).
// The reshapes share storage and pass gradients through unchanged, so conv2d's kernels and
// backward do all the work; this file only checks 1-D arguments and maps them to 2-D ones.

import { shapeStr } from "../core/shape.js";
import { slidingOutputSize } from "../kernels/index.js";
import type { Tensor } from "../tensor.js";
import { convolve2d } from "./conv.js";
import { reshape } from "./shape.js";

/** A 1-D size: a number or a one-element list, as PyTorch accepts. */
export type Single = number | readonly [number];

/** The options of F.conv1d and nn.Conv1d. */
export interface Conv1dOptions {
  /** Step of the window (default 1). */
  stride?: Single;
  /** Zero padding on both ends, or "same" (stride 1 only) / "valid". */
  padding?: Single | "same" | "valid";
  /** Spacing between the kernel's taps (default 1). */
  dilation?: Single;
  /** Channel groups (default 1). */
  groups?: number;
}

export function single(op: string, name: string, v: Single, min: number): number {
  const n = typeof v === "number" ? v : Array.isArray(v) && v.length === 1 ? v[0] : NaN;
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`${op}: ${name} must be ${min === 0 ? "a non-negative" : "a positive"} integer (or a one-element list), got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * 1-D convolution: x: (N, C, L), weight: (OC, C/groups, K), bias: (OC) -> (N, OC, OL) (an unbatched (C, L) gives (OC, OL)).
 * @throws RangeError on a shape mismatch, as conv2d.
 * @example F.conv1d(torch.randn([1, 1, 100]), torch.randn([16, 1, 3])) // shape [1, 16, 98]
 * @example F.conv1d(torch.zeros([4, 10]), torch.zeros([2, 4, 3]), null, { padding: 1 }) // shape [2, 10]
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  const op = "conv1d";
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`${op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape ${shapeStr(x.shape)}`);
  if (weight.ndim !== 3) throw new RangeError(`${op}: expected a 3-D weight (OC, C/groups, K), got shape ${shapeStr(weight.shape)}`);
  const stride = single(op, "stride", options.stride ?? 1, 1);
  const dilation = single(op, "dilation", options.dilation ?? 1, 1);
  const p = options.padding ?? 0;
  const padding = p === "same" || p === "valid" ? p : single(op, "padding", p, 0);
  const L = x.shape[x.ndim - 1];
  const K = weight.shape[2];
  if (typeof padding === "number" && slidingOutputSize(L, K, stride, padding, dilation) < 1) {
    throw new RangeError(`${op}: kernel size ${K} (dilation ${dilation}) is larger than the padded input length ${L + 2 * padding} (input shape ${shapeStr(x.shape)}, padding ${padding})`);
  }
  const x2 = reshape(x, [...x.shape.slice(0, -1), 1, L]);
  const w2 = reshape(weight, [weight.shape[0], weight.shape[1], 1, K]);
  const pad2 = typeof padding === "number" ? ([0, padding] as const) : padding;
  const y = convolve2d(op, x2, w2, bias, { stride: [1, stride], padding: pad2, dilation: [1, dilation], groups: options.groups });
  return reshape(y, [...y.shape.slice(0, -2), y.shape[y.ndim - 1]]);
}
