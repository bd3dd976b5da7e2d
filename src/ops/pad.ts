// F.pad: constant, reflect, replicate and circular padding of the last dims, as PyTorch's
// torch.nn.functional.pad. `pads` is in PyTorch's order, last dim first:
//   [left, right] pads W; [left, right, top, bottom] pads W then H; and so on.
// Every mode is a gather: output index o along a padded dim reads one source index (or none,
// for constant padding). Forward gathers through one index table, backward scatter-adds
// through the same table, so reflect/replicate/circular borders get their gradients summed.

import { makeResult } from "../autograd/function.js";
import { alloc } from "../core/dtype.js";
import { numelOf, shapeStr, stridesOf } from "../core/shape.js";
import { Tensor } from "../tensor.js";

/** How F.pad fills the border: a constant, the mirror image without the edge (reflect), the edge (replicate) or the other side (circular). */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** The options of F.pad. */
export interface PadOptions {
  /** Default "constant". */
  mode?: PadMode;
  /** Fill value of constant padding (default 0); the other modes take none. */
  value?: number;
}

/**
 * Pads the last dims; `pads` in PyTorch's order, last dim first: [left, right, top, bottom, ...].
 * @throws RangeError on an odd number of pads, more pads than dims, or reflect padding as large as the dim.
 * @example F.pad(torch.tensor([[1, 2, 3]]), [1, 1], { mode: "reflect" }) // => [[2, 1, 2, 3, 2]]
 * @example F.pad(torch.zeros([1, 3, 5, 5]), [1, 1, 1, 1], { mode: "reflect" }) // shape [1, 3, 7, 7]
 */
export function pad(x: Tensor, pads: readonly number[], options: PadOptions = {}): Tensor {
  const mode = options.mode ?? "constant";
  const maps = padMaps(x.shape, pads, mode, options.value);
  const outShape = maps.map((m) => m.length);
  const src = sourceIndex(x.shape, maps);
  const value = options.value ?? 0;
  const xd = x.data;
  const y = alloc(x.dtype, src.length);
  for (let o = 0; o < src.length; o++) y[o] = src[o] < 0 ? value : xd[src[o]];
  return makeResult("pad", y, outShape, [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      for (let o = 0; o < src.length; o++) if (src[o] >= 0) dx[src[o]] += dy[o];
      return dx;
    },
  ]);
}

/** The source index of a padded position i = o - left in a dim of size n, or -1 (fill). */
const SOURCE: Record<PadMode, (i: number, n: number) => number> = {
  constant: (i, n) => (i >= 0 && i < n ? i : -1),
  reflect: (i, n) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i),
  replicate: (i, n) => Math.min(Math.max(i, 0), n - 1),
  circular: (i, n) => ((i % n) + n) % n,
};

/** Validates before any work and returns, per dim, the source index of each output index. */
function padMaps(shape: readonly number[], pads: readonly number[], mode: PadMode, value: number | undefined): Int32Array[] {
  const op = "pad";
  const nd = shape.length;
  if (!(mode in SOURCE)) throw new RangeError(`${op}: unknown mode "${mode}" (expected constant, reflect, replicate or circular)`);
  if (pads.length % 2 !== 0) throw new RangeError(`${op}: padding length must be divisible by 2, got ${pads.length} values ${shapeStr(pads)}`);
  if (pads.length / 2 > nd) throw new RangeError(`${op}: padding length ${pads.length} is too large for a ${nd}-D input of shape ${shapeStr(shape)}`);
  if (pads.some((p) => !Number.isInteger(p))) throw new RangeError(`${op}: pads must be integers, got ${shapeStr(pads)}`);
  const k = pads.length / 2;
  if (mode !== "constant") {
    if (value !== undefined && value !== 0) throw new RangeError(`${op}: padding mode "${mode}" doesn't take in a value argument (got value ${value})`);
    if (k < 1 || k > 3 || (nd !== k + 1 && nd !== k + 2)) {
      throw new RangeError(`${op}: ${mode} padding of the last ${k} dims needs a ${k + 1}-D or ${k + 2}-D input, got shape ${shapeStr(shape)}`);
    }
    if (pads.some((p) => p < 0)) throw new RangeError(`${op}: ${mode} padding must be non-negative, got ${shapeStr(pads)}`);
  }
  return shape.map((n, d) => {
    const j = nd - 1 - d; // pads[2j], pads[2j+1] pad dim d
    if (j >= k) return Int32Array.from({ length: n }, (_, i) => i);
    const [left, right] = [pads[2 * j], pads[2 * j + 1]];
    const out = n + left + right;
    const where = `padding (${left}, ${right}) at dimension ${d} of input ${shapeStr(shape)}`;
    if (out < 0) throw new RangeError(`${op}: ${where} gives a negative output size ${out}`);
    if (mode === "reflect" && (left >= n || right >= n)) {
      throw new RangeError(`${op}: padding size should be less than the corresponding input dimension, but got ${where}`);
    }
    if (mode === "circular" && (left > n || right > n)) {
      throw new RangeError(`${op}: padding value causes wrapping around more than once: ${where}`);
    }
    if (mode !== "constant" && n === 0) throw new RangeError(`${op}: ${mode} padding needs a non-empty dimension, got ${where}`);
    return Int32Array.from({ length: out }, (_, o) => SOURCE[mode](o - left, n));
  });
}

/** src[o] = flat index in x of output element o, or -1 where the output is the fill value. */
function sourceIndex(shape: readonly number[], maps: Int32Array[]): Int32Array {
  const nd = shape.length;
  if (nd === 0) return Int32Array.of(0);
  const strides = stridesOf(shape);
  const outShape = maps.map((m) => m.length);
  const last = maps[nd - 1];
  const L = last.length;
  const rows = numelOf(outShape.slice(0, -1));
  const src = new Int32Array(rows * L);
  const pos = new Array<number>(nd - 1).fill(0); // odometer over all dims but the last
  for (let r = 0; r < rows; r++) {
    let base = 0;
    for (let d = 0; d < nd - 1 && base >= 0; d++) {
      const s = maps[d][pos[d]];
      base = s < 0 ? -1 : base + s * strides[d];
    }
    for (let j = 0; j < L; j++) src[r * L + j] = base < 0 || last[j] < 0 ? -1 : base + last[j];
    for (let d = nd - 2; d >= 0; d--) {
      if (++pos[d] < outShape[d]) break;
      pos[d] = 0;
    }
  }
  return src;
}
