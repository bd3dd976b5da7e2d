// F.interpolate: nearest and bilinear resampling, with PyTorch's output sizes and source
// coordinates (torch.nn.functional.interpolate, antialias off).
//   x is (N, C, H, W) (bilinear, nearest) or (N, C, L) (nearest); y is (N, C, OH, OW).
// Both modes are separable: each output row/column reads two source rows/columns i0, i1 with
// weights (1 - w1, w1) (nearest: i1 = i0, w1 = 0), so one index walk serves both modes and
// both directions.

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";

/** Resampling of F.interpolate: nearest neighbour, or bilinear (4-D inputs only). */
export type InterpolateMode = "nearest" | "bilinear";

/** The options of F.interpolate: give `size` or `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[];
  /** Output size = floor(input size * scaleFactor); give size or scaleFactor, not both. */
  scaleFactor?: number | readonly number[];
  /** Default "nearest", as PyTorch. */
  mode?: InterpolateMode;
  /** Bilinear only: map corner pixel centres onto each other (default false). */
  alignCorners?: boolean;
}

/** One axis of the resampling: output o reads i0[o] * (1 - w1[o]) + i1[o] * w1[o]. */
interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float64Array;
}

/**
 * Resizes x: (N, C, L) (nearest) or (N, C, H, W) to `size` or floor(size * scaleFactor), as torch.nn.functional.interpolate.
 * @throws RangeError when both or neither of size and scaleFactor are given, or on an unknown mode.
 * @example F.interpolate(torch.tensor([[[[1, 2], [3, 4]]]]), { scaleFactor: 2 }) // => [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]
 * @example F.interpolate(torch.zeros([1, 3, 8, 8]), { scaleFactor: 1 / 1.414, mode: "bilinear", alignCorners: true }) // shape [1, 3, 5, 5]
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const { spatial, outSizes, scales, mode, alignCorners } = resolve(x, options);
  const [H, W] = spatial.length === 2 ? spatial : [1, spatial[0]];
  const [OH, OW] = outSizes.length === 2 ? outSizes : [1, outSizes[0]];
  const [sh, sw] = scales.length === 2 ? scales : [undefined, scales[0]];
  const axis = mode === "nearest" ? nearestAxis : (n: number, o: number, s?: number) => linearAxis(n, o, alignCorners, s);
  const ah = axis(H, OH, sh);
  const aw = axis(W, OW, sw);
  const NC = x.shape[0] * x.shape[1];
  const y = alloc(x.dtype, NC * OH * OW);
  resample(x.data, y, NC, H, W, ah, aw, true);
  const outShape = [x.shape[0], x.shape[1], ...outSizes];
  return makeResult("interpolate", y, outShape, [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      resample(dy, dx, NC, H, W, ah, aw, false);
      return dx;
    },
  ]);
}

/** Validates everything before any work and resolves the output sizes. */
function resolve(x: Tensor, o: InterpolateOptions) {
  const op = "interpolate";
  const mode = o.mode ?? "nearest";
  if (mode !== "nearest" && mode !== "bilinear") throw new RangeError(`${op}: unknown mode "${mode}" (expected "nearest" or "bilinear")`);
  if (mode === "bilinear" && x.ndim !== 4) throw new RangeError(`${op}: bilinear mode needs a 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${op}: nearest mode needs a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape ${shapeStr(x.shape)}`);
  if (mode === "nearest" && o.alignCorners !== undefined) {
    throw new RangeError(`${op}: alignCorners can only be set with the interpolating mode "bilinear", got mode "${mode}"`);
  }
  const hasSize = o.size !== undefined && o.size !== null;
  const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale) {
    throw new RangeError(`${op}: ${hasSize ? "only one of size or scaleFactor should be defined" : "either size or scaleFactor should be defined"} (size ${JSON.stringify(o.size)}, scaleFactor ${JSON.stringify(o.scaleFactor)})`);
  }
  const spatial = x.shape.slice(2);
  const perDim = (name: string, v: number | readonly number[]): number[] => {
    const list = typeof v === "number" ? spatial.map(() => v) : [...v];
    if (list.length !== spatial.length) {
      throw new RangeError(`${op}: ${name} ${JSON.stringify(v)} has ${list.length} values for ${spatial.length} spatial dims (input shape ${shapeStr(x.shape)})`);
    }
    return list;
  };
  let outSizes: number[];
  let scales: (number | undefined)[];
  if (hasSize) {
    outSizes = perDim("size", o.size!);
    if (outSizes.some((s) => !Number.isInteger(s))) throw new RangeError(`${op}: size must hold integers, got ${JSON.stringify(o.size)}`);
    scales = spatial.map(() => undefined);
  } else {
    scales = perDim("scaleFactor", o.scaleFactor!);
    if (scales.some((s) => !(s! > 0) || !Number.isFinite(s))) throw new RangeError(`${op}: scaleFactor must be positive and finite, got ${JSON.stringify(o.scaleFactor)}`);
    outSizes = spatial.map((n, i) => Math.floor(n * scales[i]!));
  }
  if (outSizes.some((s) => s < 1) || spatial.some((s) => s < 1)) {
    throw new RangeError(`${op}: input and output sizes should be greater than 0, but got input ${shapeStr(spatial)} and output ${shapeStr(outSizes)}`);
  }
  return { spatial, outSizes, scales, mode, alignCorners: o.alignCorners ?? false };
}

/**
 * PyTorch's linear source coordinates: with alignCorners, src = o * (in - 1) / (out - 1);
 * otherwise src = max((o + 0.5) * scale - 0.5, 0) with scale = 1 / scaleFactor when one was
 * given, in / out otherwise. i1 = i0 + 1 except at the last row.
 */
function linearAxis(n: number, out: number, alignCorners: boolean, scaleFactor?: number): Axis {
  const scale = alignCorners ? (out > 1 ? (n - 1) / (out - 1) : 0) : scaleFactor !== undefined ? 1 / scaleFactor : n / out;
  const a: Axis = { i0: new Int32Array(out), i1: new Int32Array(out), w1: new Float64Array(out) };
  for (let o = 0; o < out; o++) {
    const src = alignCorners ? o * scale : Math.max((o + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    a.i0[o] = i0;
    a.i1[o] = i0 < n - 1 ? i0 + 1 : i0;
    a.w1[o] = src - i0;
  }
  return a;
}

/**
 * PyTorch's "nearest": src = min(floor(o * scale), in - 1), computed in float32 as PyTorch
 * does (NOTE: in float64 a few products land just below an integer and pick another pixel).
 */
function nearestAxis(n: number, out: number, scaleFactor?: number): Axis {
  const scale = Math.fround(scaleFactor !== undefined ? 1 / scaleFactor : n / out);
  const a: Axis = { i0: new Int32Array(out), i1: new Int32Array(out), w1: new Float64Array(out) };
  for (let o = 0; o < out; o++) {
    const i = out === n ? o : out === 2 * n ? o >> 1 : Math.min(Math.floor(Math.fround(o * scale)), n - 1);
    a.i0[o] = i;
    a.i1[o] = i;
  }
  return a;
}

/**
 * The one index walk of both directions: forward gathers y (NC, OH, OW) from x (NC, H, W);
 * backward (the adjoint) adds each dy to the four source pixels it was read from.
 */
function resample(src: Storage, dst: Storage, NC: number, H: number, W: number, ah: Axis, aw: Axis, forward: boolean): void {
  const OH = ah.i0.length;
  const OW = aw.i0.length;
  for (let p = 0; p < NC; p++)
    for (let oh = 0; oh < OH; oh++) {
      const r0 = p * H * W + ah.i0[oh] * W;
      const r1 = p * H * W + ah.i1[oh] * W;
      const h1 = ah.w1[oh];
      const h0 = 1 - h1;
      const base = (p * OH + oh) * OW;
      for (let ow = 0; ow < OW; ow++) {
        const c0 = aw.i0[ow];
        const c1 = aw.i1[ow];
        const w1 = aw.w1[ow];
        const w0 = 1 - w1;
        if (forward) {
          dst[base + ow] = h0 * (w0 * src[r0 + c0] + w1 * src[r0 + c1]) + h1 * (w0 * src[r1 + c0] + w1 * src[r1 + c1]);
          continue;
        }
        const g = src[base + ow];
        dst[r0 + c0] += h0 * w0 * g;
        dst[r0 + c1] += h0 * w1 * g;
        dst[r1 + c0] += h1 * w0 * g;
        dst[r1 + c1] += h1 * w1 * g;
      }
    }
}
