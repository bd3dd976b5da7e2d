// softmax, logSoftmax and the fused crossEntropy over one dim.
// NOTE: every exp is taken of (x - max), so large logits never overflow.
// x is viewed as (outer, n, inner) with n the size of the softmax dim.

import { makeResult } from "../autograd/function.js";
import { alloc, type Storage } from "../core/dtype.js";
import { normDim, numelOf, shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";

function layout(op: string, x: Tensor, dim: number) {
  const d = normDim(op, dim, x.ndim);
  return { outer: numelOf(x.shape.slice(0, d)), n: x.shape[d] ?? 1, inner: numelOf(x.shape.slice(d + 1)) };
}

/** log-softmax of x along the softmax dim, written into out (may be any same-size buffer). */
function logSoftmaxInto(x: Storage, out: Storage, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[base + k * inner] - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < n; k++) out[base + k * inner] = x[base + k * inner] - lse;
    }
}

/**
 * The backward of both softmax forms, given probabilities p along the dim:
 *   logSoftmax: dx = dy - p * sum(dy);   softmax: dx = p * (dy - sum(dy * p)).
 */
function softmaxBackward(p: (k: number) => number, dy: Storage, dx: Storage, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = base; k < base + n * inner; k += inner) s += log ? dy[k] : dy[k] * p(k);
      for (let k = base; k < base + n * inner; k += inner) dx[k] = log ? dy[k] - p(k) * s : p(k) * (dy[k] - s);
    }
}

/**
 * log(softmax(x)) along `dim` (default the last), computed stably.
 * @example torch.logSoftmax(torch.tensor([0, 0]), 0) // => [-0.693147, -0.693147]
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const { outer, n, inner } = layout("logSoftmax", x, dim);
  const y = alloc(x.dtype, x.numel);
  logSoftmaxInto(x.data, y, outer, n, inner);
  return makeResult("logSoftmax", y, [...x.shape], [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      softmaxBackward((k) => Math.exp(y[k]), dy, dx, outer, n, inner, true);
      return dx;
    },
  ]);
}

/**
 * e^x / sum(e^x) along `dim` (default the last), computed stably.
 * @example torch.softmax(torch.tensor([[1, 1], [0, Math.log(3)]]), 1) // => [[0.5, 0.5], [0.25, 0.75]]
 */
export function softmax(x: Tensor, dim = -1): Tensor {
  const { outer, n, inner } = layout("softmax", x, dim);
  const y = alloc(x.dtype, x.numel);
  logSoftmaxInto(x.data, y, outer, n, inner);
  for (let i = 0; i < y.length; i++) y[i] = Math.exp(y[i]);
  return makeResult("softmax", y, [...x.shape], [x], [
    (dy) => {
      const dx = alloc(x.dtype, x.numel);
      softmaxBackward((k) => y[k], dy, dx, outer, n, inner, false);
      return dx;
    },
  ]);
}

/** How a loss combines its per-element values: their mean (default), their sum, or none (one value per element). */
export type Reduction = "mean" | "sum" | "none";

/** Class indices as integers, validated against the number of classes. */
function classIndices(op: string, targets: Tensor | readonly number[], N: number, C: number): Int32Array {
  const t = targets instanceof Tensor ? targets.data : targets;
  if (t.length !== N) {
    const shape = targets instanceof Tensor ? shapeStr(targets.shape) : `[${t.length}]`;
    throw new RangeError(`${op}: expected ${N} targets (one class index per row of the input), got shape ${shape}`);
  }
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const v = t[i];
    if (!Number.isInteger(v) || v < 0 || v >= C) throw new RangeError(`${op}: target ${v} is out of bounds for ${C} classes`);
    out[i] = v;
  }
  return out;
}

/**
 * Cross-entropy between logits (N, C) and class indices (N): -log softmax(x)[n, t_n],
 * averaged over the batch by default, as torch.nn.functional.cross_entropy.
 * Fused: the gradient is (softmax - onehot) * dy, without materialising a graph of steps.
 * @throws RangeError when logits is not (N, C), targets do not hold N class indices, or one is out of range.
 * @example F.crossEntropy(torch.tensor([[0, 0], [0, 0]]), [0, 1]) // => 0.693147
 * @example F.crossEntropy(torch.zeros([2, 3]), [0, 3]) // throws RangeError: out of bounds
 */
export function crossEntropy(logits: Tensor, targets: Tensor | readonly number[], options: { reduction?: Reduction } = {}): Tensor {
  const op = "crossEntropy";
  if (logits.ndim !== 2) throw new RangeError(`${op}: expected logits of shape (N, C), got ${shapeStr(logits.shape)}`);
  const [N, C] = logits.shape;
  const t = classIndices(op, targets, N, C);
  const reduction = options.reduction ?? "mean";
  const logp = alloc(logits.dtype, logits.numel);
  logSoftmaxInto(logits.data, logp, N, C, 1);
  const losses = alloc(logits.dtype, N);
  for (let n = 0; n < N; n++) losses[n] = -logp[n * C + t[n]];
  let y: Storage = losses;
  let shape: number[] = [N];
  if (reduction !== "none") {
    let s = 0;
    for (let n = 0; n < N; n++) s += losses[n];
    y = alloc(logits.dtype, 1);
    y[0] = reduction === "mean" ? s / N : s;
    shape = [];
  }
  const inputs = targets instanceof Tensor ? [logits, targets] : [logits];
  return makeResult(op, y, shape, inputs, [
    (dy) => {
      const dx = alloc(logits.dtype, logits.numel);
      for (let n = 0; n < N; n++) {
        const g = reduction === "none" ? dy[n] : reduction === "mean" ? dy[0] / N : dy[0];
        for (let c = 0; c < C; c++) dx[n * C + c] = Math.exp(logp[n * C + c]) * g;
        dx[n * C + t[n]] -= g;
      }
      return dx;
    },
    null,
  ]);
}
