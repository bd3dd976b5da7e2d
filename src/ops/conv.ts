// 2-D convolution (cross-correlation, as PyTorch's conv2d): shape checks, the bias, and the
// autograd wiring; the batch-level work is in the conv2d kernels (src/kernels/ref/conv2d.ts).
//   x is (N, C, H, W), w is (OC, C/groups, KH, KW), b is (OC), y is (N, OC, OH, OW).
// padding "same" keeps the input size (stride 1): dilation * (KH - 1) rows of zeros in total,
// half on top and the odd one at the bottom, as PyTorch; "valid" is no padding.

import { makeResult } from "../autograd/function.js";
import { alloc, promote, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { kernels, slidingOutputSize, type Conv2dDims } from "../kernels/index.js";
import type { Activation } from "../kernels/ref/elementwise.js";
import { Tensor } from "../tensor.js";
import { pair, type Pair } from "./args.js";
import { pad } from "./pad.js";
import { squeeze, unsqueeze } from "./shape.js";

/** Explicit zero padding, or "same" (output size = input size, stride 1 only) or "valid" (none). */
export type ConvPadding = Pair | "same" | "valid";

/** The options of F.conv2d and nn.Conv2d, as PyTorch's keyword arguments. */
export interface Conv2dOptions {
  /** Step of the window: a number or [sh, sw] (default 1). */
  stride?: Pair;
  /** Zeros added on each side: a number, [ph, pw], "same" or "valid" (default 0). */
  padding?: ConvPadding;
  /** Spacing between the kernel's taps (default 1). */
  dilation?: Pair;
  /** Channel groups (default 1): each sees C/groups input channels; C and OC must be divisible by it. */
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): x: (N, C, H, W), weight: (OC, C/groups, KH, KW),
 * bias: (OC) -> (N, OC, OH, OW) (an unbatched (C, H, W) gives (OC, OH, OW)), OH = floor((H + 2 ph - dh (KH - 1) - 1) / sh) + 1.
 * @throws RangeError on a shape mismatch (channels, groups, bias) or an input smaller than the kernel.
 * @example F.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([2, 1, 3, 3])) // => [[[[9, 9], [9, 9]], [[9, 9], [9, 9]]]]
 * @example F.conv2d(torch.zeros([1, 3, 8, 8]), torch.zeros([4, 3, 3, 3]), null, { stride: 2, padding: 1 }) // shape [1, 4, 4, 4]
 * @example F.conv2d(torch.zeros([1, 5, 5]), torch.zeros([2, 1, 3, 3])) // shape [2, 3, 3]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convolve2d("conv2d", x, weight, bias, options);
}

/**
 * conv2d reporting errors as `op` (conv1d runs as a conv2d of height 1). `act`: the kernel also
 * applies this activation to the output; the caller owes the graph its derivative (ops/fused.ts).
 */
export function convolve2d(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: Conv2dOptions, act?: Activation): Tensor {
  // An unbatched (C, H, W) input is treated as a batch of one, as PyTorch does.
  if (x.ndim === 3) return squeeze(convolve2d(op, unsqueeze(x, 0), weight, bias, options, act), 0);
  checkRanks(op, x, weight);
  const { padding, extra } = resolvePadding(op, weight, options);
  // An odd "same" total: the extra bottom row / right column is an explicit zero pad first.
  if (extra[0] || extra[1]) x = pad(x, [0, extra[1], 0, extra[0]]);
  const d = conv2dGeometry(op, x, weight, bias, { ...options, padding });
  const { N, OC } = d;
  const P = d.OH * d.OW;
  const dtype = promote(x.dtype, weight.dtype);
  const y = alloc(dtype, N * OC * P);
  kernels.conv2dForward(d, x.data, weight.data, bias ? bias.data : null, y, act);

  const dx = (dy: Float32Array | Float64Array) => {
    const out = alloc(x.dtype, x.numel);
    kernels.conv2dBackwardInput(d, dy, weight.data, out);
    return out;
  };
  // The bias gradient comes out of the weight gradient's pass over dy when both are wanted (the
  // engine asks for dw, then db, with the same dy): dy is read, and staged for the WebAssembly
  // kernels, once instead of twice.
  let dbFromDw: Storage | null = null;
  const dw = (dy: Float32Array | Float64Array) => {
    const out = alloc(weight.dtype, weight.numel);
    dbFromDw = bias?.requiresGrad ? alloc(dtype, OC) : null;
    kernels.conv2dBackwardWeight(d, x.data, dy, out, dbFromDw);
    return out;
  };
  const db = (dy: Float32Array | Float64Array) => {
    const out = dbFromDw ?? alloc(dtype, OC);
    if (!dbFromDw) kernels.conv2dBackwardBias(d, dy, out);
    dbFromDw = null;
    return out;
  };
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return makeResult("conv2d", y, [N, OC, d.OH, d.OW], inputs, [dx, dw, db]);
}

function checkRanks(op: string, x: Tensor, weight: Tensor): void {
  if (x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  if (weight.ndim !== 4) throw new RangeError(`${op}: expected a 4-D weight (OC, C/groups, KH, KW), got shape ${shapeStr(weight.shape)}`);
}

/** Padding per side, plus the extra bottom row / right column of an odd "same" total (onnx/ export reads it too). */
export function resolvePadding(op: string, weight: Tensor, o: Conv2dOptions): { padding: [number, number]; extra: [number, number] } {
  const p = o.padding ?? 0;
  if (p === "valid") return { padding: [0, 0], extra: [0, 0] };
  if (p !== "same") {
    if (typeof p === "string") throw new RangeError(`${op}: padding must be a number, [h, w], "same" or "valid", got "${p}"`);
    return { padding: pair(op, "padding", p, 0), extra: [0, 0] };
  }
  const [SH, SW] = pair(op, "stride", o.stride ?? 1, 1);
  if (SH !== 1 || SW !== 1) throw new RangeError(`${op}: padding "same" is not supported for strided convolutions (stride ${JSON.stringify(o.stride)})`);
  const [DH, DW] = pair(op, "dilation", o.dilation ?? 1, 1);
  const total = [DH * (weight.shape[2] - 1), DW * (weight.shape[3] - 1)];
  return { padding: [total[0] >> 1, total[1] >> 1], extra: [total[0] & 1, total[1] & 1] };
}

/** Validates shapes and hyper-parameters before any work, naming the op and the values. */
function conv2dGeometry(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: Conv2dOptions & { padding: [number, number] }): Conv2dDims {
  const groups = options.groups ?? 1;
  const [N, C, H, W] = x.shape;
  const [OC, Cg, KH, KW] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${groups}`);
  if (C % groups !== 0 || OC % groups !== 0) {
    throw new RangeError(`${op}: groups=${groups} must divide both input channels (${C}) and output channels (${OC})`);
  }
  if (Cg * groups !== C) {
    throw new RangeError(
      `${op}: expected input with ${Cg * groups} channels, got ${C} (input shape ${shapeStr(x.shape)}, weight shape ${shapeStr(weight.shape)}, groups=${groups})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC)) throw new RangeError(`${op}: expected bias of shape [${OC}], got ${shapeStr(bias.shape)}`);
  const [SH, SW] = pair(op, "stride", options.stride ?? 1, 1);
  const [PH, PW] = options.padding;
  const [DH, DW] = pair(op, "dilation", options.dilation ?? 1, 1);
  const OH = slidingOutputSize(H, KH, SH, PH, DH);
  const OW = slidingOutputSize(W, KW, SW, PW, DW);
  if (OH < 1 || OW < 1) {
    throw new RangeError(
      `${op}: kernel size ${KH}x${KW} (dilation ${DH}x${DW}) is larger than the padded input ${H + 2 * PH}x${W + 2 * PW} (input shape ${shapeStr(x.shape)}, padding [${PH}, ${PW}])`,
    );
  }
  const d: Conv2dDims = { N, C, H, W, OC, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, groups };
  return d;
}
