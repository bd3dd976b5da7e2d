// Reductions over all elements or one dim (with keepdim): sum, mean, max, argmax.
// A reduced tensor is viewed as (outer, n, inner) where n is the reduced dim's size.

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { normDim, numelOf } from "../core/shape.js";
import { Tensor } from "../tensor.js";

interface Layout {
  outer: number;
  n: number;
  inner: number;
  outShape: number[];
}

function layout(op: string, x: Tensor, dim: number | undefined, keepdim: boolean): Layout {
  if (dim === undefined) {
    return { outer: 1, n: x.numel, inner: 1, outShape: keepdim ? x.shape.map(() => 1) : [] };
  }
  const d = normDim(op, dim, x.ndim);
  const shape = x.ndim === 0 ? [] : x.shape;
  const outShape = shape.flatMap((s, i) => (i !== d ? [s] : keepdim ? [1] : []));
  return { outer: numelOf(shape.slice(0, d)), n: shape[d] ?? 1, inner: numelOf(shape.slice(d + 1)), outShape };
}

/** Copies a per-(outer, inner) gradient back across the reduced dim, scaled. */
function spread(dy: Storage, l: Layout, scale: number): Storage {
  const dx = alloc(dy instanceof Float64Array ? "float64" : "float32", l.outer * l.n * l.inner);
  for (let o = 0; o < l.outer; o++)
    for (let k = 0; k < l.n; k++) {
      const base = (o * l.n + k) * l.inner;
      for (let i = 0; i < l.inner; i++) dx[base + i] = dy[o * l.inner + i] * scale;
    }
  return dx;
}

/** Sum over the reduced dim, times scale (1 for sum, 1/n for mean). */
function scaledSum(op: string, x: Tensor, dim: number | undefined, keepdim: boolean, mean: boolean): Tensor {
  const l = layout(op, x, dim, keepdim);
  const scale = mean ? 1 / l.n : 1;
  const xd = x.data;
  const y = alloc(x.dtype, l.outer * l.inner);
  for (let o = 0; o < l.outer; o++)
    for (let k = 0; k < l.n; k++) {
      const base = (o * l.n + k) * l.inner;
      for (let i = 0; i < l.inner; i++) y[o * l.inner + i] += xd[base + i];
    }
  if (mean) for (let i = 0; i < y.length; i++) y[i] *= scale;
  return makeResult(op, y, l.outShape, [x], [(dy) => spread(dy, l, scale)]);
}

/**
 * Sum of all elements (a 0-d tensor), or over `dim` (dropped unless `keepdim`, default false).
 * @example torch.sum(torch.tensor([[1, 2], [3, 4]])) // => 10
 * @example torch.sum(torch.tensor([[1, 2], [3, 4]]), 1) // => [3, 7]
 */
export const sum = (x: Tensor, dim?: number, keepdim = false) => scaledSum("sum", x, dim, keepdim, false);
/**
 * Mean of all elements, or over `dim` (dropped unless `keepdim`, default false).
 * @example torch.mean(torch.tensor([[1, 2], [3, 5]]), 0, true) // => [[2, 3.5]]
 */
export const mean = (x: Tensor, dim?: number, keepdim = false) => scaledSum("mean", x, dim, keepdim, true);

/** Index of the maximum along the reduced dim for each (outer, inner); first one wins on ties. */
function argmaxIndices(x: Tensor, l: Layout): Int32Array {
  const xd = x.data;
  const idx = new Int32Array(l.outer * l.inner);
  for (let o = 0; o < l.outer; o++)
    for (let i = 0; i < l.inner; i++) {
      let best = -Infinity;
      let bestK = 0;
      for (let k = 0; k < l.n; k++) {
        const v = xd[(o * l.n + k) * l.inner + i];
        if (v > best || Number.isNaN(v)) {
          best = v;
          bestK = k;
          if (Number.isNaN(v)) break; // NaN propagates, as in PyTorch
        }
      }
      idx[o * l.inner + i] = bestK;
    }
  return idx;
}

/**
 * Largest element, or the maxima over `dim` (dropped unless `keepdim`); the gradient goes to the first maximum.
 * Unlike PyTorch's max(dim), it returns only the values: use argmax for the indices.
 * @throws RangeError on an empty tensor.
 * @example torch.max(torch.tensor([[1, 9], [7, 3]]), 1) // => [9, 7]
 */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  const l = layout("max", x, dim, keepdim);
  if (x.numel === 0) throw new RangeError("max: expected a non-empty tensor");
  const idx = argmaxIndices(x, l);
  const xd = x.data;
  const y = alloc(x.dtype, idx.length);
  for (let o = 0; o < l.outer; o++)
    for (let i = 0; i < l.inner; i++) y[o * l.inner + i] = xd[(o * l.n + idx[o * l.inner + i]) * l.inner + i];
  // NOTE: as PyTorch, max over one dim sends the gradient to the first maximum (the index it
  // returns), while max over all elements shares it evenly among tied maxima.
  const backward = (dy: Storage) => {
    const dx = alloc(x.dtype, x.numel);
    if (dim === undefined) {
      let ties = 0;
      for (let k = 0; k < xd.length; k++) if (xd[k] === y[0]) ties++;
      for (let k = 0; k < xd.length; k++) if (xd[k] === y[0]) dx[k] = dy[0] / ties;
      return dx;
    }
    for (let o = 0; o < l.outer; o++)
      for (let i = 0; i < l.inner; i++) dx[(o * l.n + idx[o * l.inner + i]) * l.inner + i] = dy[o * l.inner + i];
    return dx;
  };
  return makeResult("max", y, l.outShape, [x], [backward]);
}

/**
 * Indices of the maxima, as a float tensor holding integers (torchlet has no integer dtype).
 * @example torch.argmax(torch.tensor([[1, 9], [7, 3]]), 1) // => [1, 0]
 * @throws RangeError on an empty tensor.
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  const l = layout("argmax", x, dim, keepdim);
  if (x.numel === 0) throw new RangeError("argmax: expected a non-empty tensor");
  return new Tensor(Float32Array.from(argmaxIndices(x, l)), l.outShape);
}
