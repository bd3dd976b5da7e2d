// Elementwise ops. Unary ops are a table of one-line forward and derivative formulas;
// binary ops broadcast as NumPy/PyTorch do and sum their gradients back to each input's shape.

import { makeResult } from "../autograd/function.js";
import { alloc, promote, type Storage } from "../core/dtype.js";
import { broadcastShapes, numelOf, sameShape } from "../core/shape.js";
import { kernels } from "../kernels/index.js";
import type { Activation } from "../kernels/ref/elementwise.js";
import { Tensor } from "../tensor.js";
import { forEachBroadcast, sumToShape } from "./broadcast.js";
import { fuseActivation } from "./fused.js";

// ---------------------------------------------------------------- unary
// f(x) is the forward; df(x, y, g) the gradient given input x, output y and upstream g.
interface UnaryDef {
  f: (x: number) => number;
  df: (x: number, y: number, g: number) => number;
  /** Whole-array kernels that replace the loops over f and df (the backend's, e.g. SIMD tanh). */
  kernel?: (x: Storage, y: Storage) => void;
  gradKernel?: (x: Storage, y: Storage, dy: Storage, dx: Storage) => void;
}

/** NOTE: log(1 + e^-|x|) form: never exponentiates a large positive number. */
export function logsigmoidScalar(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}
export function sigmoidScalar(x: number): number {
  // Written for both signs so that exp never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const unaryDefs = {
  neg: { f: (x) => -x, df: (_x, _y, g) => -g },
  exp: { f: Math.exp, df: (_x, y, g) => g * y },
  log: { f: Math.log, df: (x, _y, g) => g / x },
  sqrt: { f: Math.sqrt, df: (_x, y, g) => g / (2 * y) },
  abs: { f: Math.abs, df: (x, _y, g) => g * Math.sign(x) },
  sigmoid: {
    f: sigmoidScalar,
    df: (_x, y, g) => g * y * (1 - y),
    kernel: (x, y) => kernels.sigmoidForward(x, y),
    gradKernel: (_x, y, dy, dx) => kernels.sigmoidBackward(y, dy, dx),
  },
  tanh: {
    f: Math.tanh,
    df: (_x, y, g) => g * (1 - y * y),
    kernel: (x, y) => kernels.tanhForward(x, y),
    gradKernel: (_x, y, dy, dx) => kernels.tanhBackward(y, dy, dx),
  },
  relu: {
    f: (x) => (x > 0 ? x : 0),
    df: (x, _y, g) => (x > 0 ? g : 0),
    kernel: (x, y) => kernels.reluForward(x, y),
    gradKernel: (x, _y, dy, dx) => kernels.reluBackward(x, dy, dx),
  },
  logsigmoid: { f: logsigmoidScalar, df: (x, _y, g) => g * sigmoidScalar(-x) },
} satisfies Record<string, UnaryDef>;

export type UnaryOp = keyof typeof unaryDefs;

function unary(name: UnaryOp, x: Tensor): Tensor {
  const { f, df, kernel, gradKernel } = unaryDefs[name] as UnaryDef;
  const xd = x.data;
  const y = alloc(x.dtype, xd.length);
  if (kernel) kernel(xd, y);
  else for (let i = 0; i < xd.length; i++) y[i] = f(xd[i]);
  return makeResult(name, y, x.shape, [x], [
    (dy) => {
      const dx = alloc(x.dtype, xd.length);
      if (gradKernel) gradKernel(xd, y, dy, dx);
      else for (let i = 0; i < xd.length; i++) dx[i] = df(xd[i], y[i], dy[i]);
      return dx;
    },
  ]);
}

/**
 * -x, elementwise.
 * @example torch.neg(torch.tensor([1, -2])) // => [-1, 2]
 */
export const neg = (x: Tensor) => unary("neg", x);
/**
 * e^x, elementwise.
 * @example torch.exp(torch.tensor([0, 1])) // => [1, 2.71828]
 */
export const exp = (x: Tensor) => unary("exp", x);
/**
 * Natural logarithm, elementwise (NaN below 0, -Infinity at 0).
 * @example torch.log(torch.tensor([1, Math.E])) // => [0, 1]
 */
export const log = (x: Tensor) => unary("log", x);
/**
 * Square root, elementwise (NaN below 0).
 * @example torch.sqrt(torch.tensor([4, 9])) // => [2, 3]
 */
export const sqrt = (x: Tensor) => unary("sqrt", x);
/**
 * |x|, elementwise.
 * @example torch.abs(torch.tensor([-1.5, 2])) // => [1.5, 2]
 */
export const abs = (x: Tensor) => unary("abs", x);
/**
 * 1 / (1 + e^-x), elementwise (torch.sigmoid, F.sigmoid, nn.Sigmoid).
 * @example torch.sigmoid(torch.tensor([0])) // => [0.5]
 */
export const sigmoid = (x: Tensor) => unary("sigmoid", x);
/**
 * Hyperbolic tangent, elementwise (torch.tanh, F.tanh, nn.Tanh).
 * @example torch.tanh(torch.tensor([0, 100])) // => [0, 1]
 */
export const tanh = (x: Tensor) => unary("tanh", x);
/**
 * max(x, 0), elementwise (F.relu, nn.ReLU); the gradient at 0 is 0, as PyTorch's.
 * @example torch.relu(torch.tensor([-1, 0, 2])) // => [0, 0, 2]
 */
export const relu = (x: Tensor) => unary("relu", x);
/**
 * log(sigmoid(x)), computed without overflow for large |x| (F.logsigmoid).
 * @example F.logsigmoid(torch.tensor([0, -1000])) // => [-0.693147, -1000]
 */
export const logsigmoid = (x: Tensor) => unary("logsigmoid", x);

// ---------------------------------------------------------------- binary
// f(a, b) forward; da/db give d(out)/d(a) and d(out)/d(b) times g.
interface BinaryDef {
  f: (a: number, b: number) => number;
  da: (a: number, b: number, y: number, g: number) => number;
  db: (a: number, b: number, y: number, g: number) => number;
}

const binaryDefs = {
  add: { f: (a, b) => a + b, da: (_a, _b, _y, g) => g, db: (_a, _b, _y, g) => g },
  sub: { f: (a, b) => a - b, da: (_a, _b, _y, g) => g, db: (_a, _b, _y, g) => -g },
  mul: { f: (a, b) => a * b, da: (_a, b, _y, g) => g * b, db: (a, _b, _y, g) => g * a },
  div: { f: (a, b) => a / b, da: (_a, b, _y, g) => g / b, db: (_a, b, y, g) => (-g * y) / b },
  pow: {
    f: Math.pow,
    da: (a, b, _y, g) => (b === 0 ? 0 : g * b * Math.pow(a, b - 1)),
    // d/db a^b = a^b ln a; PyTorch defines it as 0 where a == 0 and b >= 0.
    db: (a, b, y, g) => (a === 0 && b >= 0 ? 0 : g * y * Math.log(a)),
  },
  maximum: {
    f: Math.max,
    da: (a, b, _y, g) => (a > b ? g : a === b ? g / 2 : 0),
    db: (a, b, _y, g) => (b > a ? g : a === b ? g / 2 : 0),
  },
} satisfies Record<string, BinaryDef>;

export type BinaryOp = keyof typeof binaryDefs;

/** Numbers become 0-d tensors of the other operand's dtype. */
export function asTensor(v: Tensor | number, like: Tensor): Tensor {
  if (v instanceof Tensor) return v;
  const d = alloc(like.dtype, 1);
  d[0] = v;
  return new Tensor(d, []);
}

function binary(name: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const { f, da, db } = binaryDefs[name] as BinaryDef;
  const shape = broadcastShapes(name, a.shape, b.shape);
  const dtype = promote(a.dtype, b.dtype);
  const ad = a.data;
  const bd = b.data;
  const y = alloc(dtype, numelOf(shape));
  const same = sameShape(a.shape, b.shape);
  if (same) for (let i = 0; i < y.length; i++) y[i] = f(ad[i], bd[i]);
  else if (bd.length === 1 && shape.length === a.shape.length) {
    const bv = bd[0];
    for (let i = 0; i < y.length; i++) y[i] = f(ad[i], bv);
  } else forEachBroadcast(shape, a.shape, b.shape, (o, ia, ib) => (y[o] = f(ad[ia], bd[ib])));

  // One gradient formula, applied under the same broadcast, then summed to the input's shape.
  const grad = (d: BinaryDef["da"], input: Tensor) => (dy: Storage) => {
    const full = alloc(dtype, y.length);
    if (same) for (let i = 0; i < y.length; i++) full[i] = d(ad[i], bd[i], y[i], dy[i]);
    else forEachBroadcast(shape, a.shape, b.shape, (o, ia, ib) => (full[o] = d(ad[ia], bd[ib], y[o], dy[o])));
    return sumToShape(full, shape, input.shape);
  };
  return makeResult(name, y, shape, [a, b], [grad(da, a), grad(db, b)]);
}

/**
 * a + b with broadcasting (a number is a 0-d tensor of a's dtype).
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.add(torch.tensor([[1], [2]]), torch.tensor([10, 20])) // => [[11, 21], [12, 22]]
 * @example torch.add(torch.ones([2]), torch.ones([3])) // throws RangeError: broadcast
 */
export const add = (a: Tensor, b: Tensor | number) => {
  const bt = asTensor(b, a);
  return sameShape(a.shape, bt.shape) ? addSame(a, bt) : binary("add", a, bt);
};

/**
 * relu(a + b) in one pass (the residual blocks' sum): the same values and gradients as
 * relu(add(a, b)), one array and one graph node less (ops/fused.ts).
 */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  return sameShape(a.shape, b.shape) ? fuseActivation(addSame(a, b, "relu"), "relu") : relu(add(a, b));
}

/**
 * a + b for operands of one shape through the backend's kernel, `act` applied by it. Both
 * gradients are dy itself: no copy per input (the engine copies dy where two inputs would
 * otherwise share it, autograd/backward.ts).
 */
function addSame(a: Tensor, b: Tensor, act?: Activation): Tensor {
  const y = alloc(promote(a.dtype, b.dtype), a.numel);
  kernels.addForward(a.data, b.data, y, act);
  return makeResult("add", y, [...a.shape], [a, b], [(dy) => dy, (dy) => dy]);
}
/**
 * a - b with broadcasting.
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.sub(torch.tensor([5, 7]), 2) // => [3, 5]
 */
export const sub = (a: Tensor, b: Tensor | number) => binary("sub", a, asTensor(b, a));
/**
 * a * b elementwise, with broadcasting.
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.mul(torch.tensor([1, 2]), torch.tensor([[1], [10]])) // => [[1, 2], [10, 20]]
 */
export const mul = (a: Tensor, b: Tensor | number) => binary("mul", a, asTensor(b, a));
/**
 * a / b elementwise, with broadcasting.
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.div(torch.tensor([1, 3]), 2) // => [0.5, 1.5]
 */
export const div = (a: Tensor, b: Tensor | number) => binary("div", a, asTensor(b, a));
/**
 * a ** b elementwise, with broadcasting.
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.pow(torch.tensor([2, 3]), 2) // => [4, 9]
 */
export const pow = (a: Tensor, b: Tensor | number) => binary("pow", a, asTensor(b, a));
/**
 * The larger of a and b elementwise, with broadcasting (torch.maximum); ties split the gradient.
 * @throws RangeError when the shapes cannot be broadcast together.
 * @example torch.maximum(torch.tensor([1, 5]), 3) // => [3, 5]
 */
export const maximum = (a: Tensor, b: Tensor | number) => binary("maximum", a, asTensor(b, a));

// ---------------------------------------------------------------- comparisons
// Not differentiable; the result holds 1 where the relation holds and 0 elsewhere.
const comparisons = {
  eq: (a: number, b: number) => a === b,
  ne: (a: number, b: number) => a !== b,
  lt: (a: number, b: number) => a < b,
  le: (a: number, b: number) => a <= b,
  gt: (a: number, b: number) => a > b,
  ge: (a: number, b: number) => a >= b,
};

export type CompareOp = keyof typeof comparisons;

export function compare(name: CompareOp, a: Tensor, bIn: Tensor | number): Tensor {
  const b = asTensor(bIn, a);
  const rel = comparisons[name];
  const shape = broadcastShapes(name, a.shape, b.shape);
  const y = alloc(promote(a.dtype, b.dtype), numelOf(shape));
  forEachBroadcast(shape, a.shape, b.shape, (o, ia, ib) => (y[o] = rel(a.data[ia], b.data[ib]) ? 1 : 0));
  return new Tensor(y, shape);
}
