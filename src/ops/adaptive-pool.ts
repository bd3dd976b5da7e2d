// Adaptive average and max pooling: the output size is given and each output cell pools the
// window PyTorch assigns it, rows floor(o * H / OH) .. ceil((o + 1) * H / OH) (windows may
// overlap and differ in size by one).
//   x is (N, C, H, W) or (C, H, W); y is (..., OH, OW).

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { kernels, type PoolGeometry } from "../kernels/index.js";
import { pool } from "./pool.js";
import { Tensor } from "../tensor.js";

/** One size for both dims, or [OH, OW] where null keeps that input dim's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** The window [start, end) of every output index along one axis. */
function windows(n: number, out: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(out);
  const end = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    start[o] = Math.floor((o * n) / out);
    end[o] = Math.ceil(((o + 1) * n) / out);
  }
  return { start, end };
}

function geometry(op: string, x: Tensor, outputSize: AdaptiveSize) {
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  const [H, W] = x.shape.slice(-2);
  const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  if (!Array.isArray(sizes) || sizes.length !== 2) throw new RangeError(`${op}: outputSize must be a number or [h, w], got ${JSON.stringify(outputSize)}`);
  const [OH, OW] = sizes.map((s, i) => s ?? [H, W][i]);
  for (const s of [OH, OW]) {
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`${op}: outputSize must hold positive integers (or null), got ${JSON.stringify(outputSize)}`);
  }
  if (H < 1 || W < 1) throw new RangeError(`${op}: expected a non-empty input, got shape ${shapeStr(x.shape)}`);
  return { NC: x.numel / (H * W), H, W, OH, OW, rows: windows(H, OH), cols: windows(W, OW), outShape: [...x.shape.slice(0, -2), OH, OW] };
}

type Geometry = ReturnType<typeof geometry>;

/** Calls visit(outIndex, planeOffset, h0, h1, w0, w1) for every output cell. */
function forEachWindow(g: Geometry, visit: (o: number, plane: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  for (let p = 0; p < g.NC; p++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        visit((p * g.OH + oh) * g.OW + ow, p * g.H * g.W, g.rows.start[oh], g.rows.end[oh], g.cols.start[ow], g.cols.end[ow]);
      }
}

/**
 * Where every window has the same size (OH divides H, OW divides W: global pooling, ResNet's
 * head), the windows are average pooling's with that size as kernel and stride: the pooling
 * kernels' (WebAssembly for float32), as a PoolGeometry; else null.
 */
function uniformWindows(g: Geometry): PoolGeometry | null {
  if (g.H % g.OH !== 0 || g.W % g.OW !== 0) return null;
  const [KH, KW] = [g.H / g.OH, g.W / g.OW];
  return { NC: g.NC, H: g.H, W: g.W, KH, KW, SH: KH, SW: KW, PH: 0, PW: 0, OH: g.OH, OW: g.OW };
}

/**
 * Average pooling to a fixed output size: x: (N, C, H, W) -> (N, C, OH, OW) (or without N), windows as PyTorch's.
 * @throws RangeError on an input that is not 3-D or 4-D or a size that is not positive.
 * @example F.adaptiveAvgPool2d(torch.zeros([2, 8, 7, 7]), 1) // shape [2, 8, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const g = geometry("adaptiveAvgPool2d", x, outputSize);
  const uniform = uniformWindows(g);
  if (uniform !== null) {
    return pool("adaptiveAvgPool2d", x, uniform, g.outShape, (y) => kernels.avgPool2dForward(uniform, x.data, y, true), (dy, dx) => kernels.avgPool2dBackward(uniform, dy, dx, true));
  }
  const xd = x.data;
  const y = alloc(x.dtype, g.NC * g.OH * g.OW);
  forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
    let s = 0;
    for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += xd[plane + h * g.W + w];
    y[o] = s / ((h1 - h0) * (w1 - w0));
  });
  return makeResult("adaptiveAvgPool2d", y, g.outShape, [x], [
    (dy: Storage) => {
      const dx = alloc(x.dtype, x.numel);
      forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
        const v = dy[o] / ((h1 - h0) * (w1 - w0));
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[plane + h * g.W + w] += v;
      });
      return dx;
    },
  ]);
}

/**
 * The maximum of each window; the gradient goes to its first maximum (NaN propagates).
 * x: (N, C, H, W) -> (N, C, OH, OW) (or without N).
 * @throws RangeError on an input that is not 3-D or 4-D or a size that is not positive.
 * @example F.adaptiveMaxPool2d(torch.tensor([[[[1, 2, 3], [4, 5, 6]]]]), [1, null]) // => [[[[4, 5, 6]]]]
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const g = geometry("adaptiveMaxPool2d", x, outputSize);
  const xd = x.data;
  const y = alloc(x.dtype, g.NC * g.OH * g.OW);
  const argmax = new Int32Array(y.length); // flat index into x
  forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
    let best = -Infinity;
    let at = plane + h0 * g.W + w0;
    for (let h = h0; h < h1; h++)
      for (let w = w0; w < w1; w++) {
        const v = xd[plane + h * g.W + w];
        if (v > best || Number.isNaN(v)) [best, at] = [v, plane + h * g.W + w];
      }
    y[o] = best;
    argmax[o] = at;
  });
  return makeResult("adaptiveMaxPool2d", y, g.outShape, [x], [
    (dy: Storage) => {
      const dx = alloc(x.dtype, x.numel);
      for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
      return dx;
    },
  ]);
}
