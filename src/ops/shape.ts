// Ops that move elements without arithmetic: reshape/view, permute/transpose, flatten,
// squeeze/unsqueeze, indexSelect, cat. Tensors are always contiguous: reshape shares storage,
// permute copies.

import { makeResult } from "../autograd/function.js";
import { alloc, promote, type Storage } from "../core/dtype.js";
import { inferShape, normDim, numelOf, shapeStr, stridesOf } from "../core/shape.js";
import { Tensor } from "../tensor.js";

/**
 * Same storage, new shape (-1 inferred). Gradients flow back unchanged.
 * @throws RangeError when the shape does not hold x.numel elements, or has more than one -1.
 * @example torch.reshape(torch.arange(6), [2, -1]) // shape [2, 3]
 * @example torch.reshape(torch.arange(6), [4, -1]) // throws RangeError: invalid for input of size 6
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = inferShape("reshape", x.shape, shape);
  return makeResult("reshape", x.data, out, [x], [unchanged]);
}

const unchanged = (dy: Storage) => dy;

/**
 * Merges dims startDim..endDim (default: all) into one; same storage.
 * @throws RangeError when startDim comes after endDim.
 * @example torch.flatten(torch.zeros([2, 3, 4]), 1) // shape [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim("flatten", startDim, x.ndim);
  const e = normDim("flatten", endDim, x.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} cannot come after endDim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/**
 * Inserts a dim of size 1 at `dim` (negative counts from the end).
 * @example torch.unsqueeze(torch.zeros([3]), 0) // shape [1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim("unsqueeze", dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/**
 * Removes the dims of size 1 (all, or only `dim` when it has size 1).
 * @example torch.squeeze(torch.zeros([1, 3, 1])) // shape [3]
 */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normDim("squeeze", dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]) : x;
}

/**
 * Copies x with its dims reordered: out.shape[i] = x.shape[dims[i]].
 * @throws RangeError when dims is not a permutation of x's dims.
 * @example torch.permute(torch.zeros([2, 3, 4]), [2, 0, 1]) // shape [4, 2, 3]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const nd = x.ndim;
  const perm = dims.map((d) => normDim("permute", d, nd));
  if (perm.length !== nd || new Set(perm).size !== nd) {
    throw new RangeError(`permute: dims ${shapeStr(dims)} are not a permutation of ${nd} dims (input shape ${shapeStr(x.shape)})`);
  }
  const outShape = perm.map((d) => x.shape[d]);
  const inverse = new Array<number>(nd);
  perm.forEach((d, i) => (inverse[d] = i));
  const y = permuteData(x.data, x.shape, perm);
  return makeResult("permute", y, outShape, [x], [(dy) => permuteData(dy, outShape, inverse)]);
}

function permuteData<T extends Float32Array | Float64Array>(src: T, shape: readonly number[], perm: number[]): T {
  const n = src.length;
  const dst = alloc(src instanceof Float64Array ? "float64" : "float32", n) as T;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((d) => shape[d]);
  const strides = perm.map((d) => inStrides[d]); // stride in src for each output dim
  const nd = outShape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let o = 0; o < n; o++) {
    dst[o] = src[off];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return dst;
}

/**
 * Swaps two dims (a copy, as permute).
 * @example torch.transpose(torch.tensor([[1, 2, 3]]), 0, 1) // => [[1], [2], [3]]
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const perm = x.shape.map((_, i) => i);
  const a = normDim("transpose", dim0, x.ndim);
  const b = normDim("transpose", dim1, x.ndim);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/**
 * Picks entries along dim: out.shape[dim] = indices.length. Indices may repeat.
 * @throws RangeError on an index out of range.
 * @example torch.indexSelect(torch.tensor([[1, 2, 3], [4, 5, 6]]), 1, [2, 0]) // => [[3, 1], [6, 4]]
 */
export function indexSelect(x: Tensor, dim: number, indices: Tensor | readonly number[]): Tensor {
  const d = normDim("indexSelect", dim, x.ndim);
  const idx = Array.from(indices instanceof Tensor ? indices.data : indices);
  const size = x.shape[d];
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= size) {
      throw new RangeError(`indexSelect: index ${i} is out of range for dimension ${dim} with size ${size}`);
    }
  }
  const outer = numelOf(x.shape.slice(0, d));
  const inner = numelOf(x.shape.slice(d + 1));
  const outShape = [...x.shape];
  outShape[d] = idx.length;
  const y = alloc(x.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++)
    idx.forEach((src, k) => {
      y.set(x.data.subarray((o * size + src) * inner, (o * size + src + 1) * inner), (o * idx.length + k) * inner);
    });
  return makeResult("indexSelect", y, outShape, [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      for (let o = 0; o < outer; o++)
        idx.forEach((src, k) => {
          const from = (o * idx.length + k) * inner;
          const to = (o * size + src) * inner;
          for (let i = 0; i < inner; i++) dx[to + i] += dy[from + i];
        });
      return dx;
    },
  ]);
}

/**
 * Concatenates along dim; all other dims must agree.
 * @throws RangeError on an empty list or when the other dims differ.
 * @example torch.cat([torch.zeros([2, 3]), torch.ones([2, 1])], 1) // shape [2, 4]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("cat: expected a non-empty list of tensors");
  const first = tensors[0];
  const d = normDim("cat", dim, first.ndim);
  tensors.forEach((t, k) => {
    const ok = t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!ok) {
      throw new RangeError(
        `cat: sizes of tensors must match except in dimension ${dim}: tensor 0 has shape ${shapeStr(first.shape)}, tensor ${k} has shape ${shapeStr(t.shape)}`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promote);
  const outer = numelOf(first.shape.slice(0, d));
  const inner = numelOf(first.shape.slice(d + 1));
  const sizes = tensors.map((t) => t.shape[d]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const outShape = [...first.shape];
  outShape[d] = total;
  const y = alloc(dtype, outer * total * inner);
  let offset = 0;
  const offsets = sizes.map((s) => ((offset += s), offset - s));
  tensors.forEach((t, k) => {
    const chunk = sizes[k] * inner;
    for (let o = 0; o < outer; o++) y.set(t.data.subarray(o * chunk, (o + 1) * chunk), (o * total + offsets[k]) * inner);
  });
  return makeResult(
    "cat",
    y,
    outShape,
    [...tensors],
    tensors.map((t, k) => (dy) => {
      const chunk = sizes[k] * inner;
      const dx = alloc(t.dtype, outer * chunk);
      for (let o = 0; o < outer; o++) dx.set(dy.subarray((o * total + offsets[k]) * inner, (o * total + offsets[k]) * inner + chunk), o * chunk);
      return dx;
    }),
  );
}
