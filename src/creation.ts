// Factory functions: torch.tensor, zeros, ones, full, rand, randn, arange.

import { alloc, type DType, type Storage } from "./core/dtype.js";
import { numelOf, shapeStr } from "./core/shape.js";
import { defaultGenerator, type Generator } from "./core/random.js";
import { Tensor, type NestedArray } from "./tensor.js";

/** The options of torch.tensor. */
export interface TensorOptions {
  /** The shape to give flat data (default: the nested arrays' shape, or [data.length]). */
  shape?: readonly number[];
  /** Record operations on it for backward() (default false). */
  requiresGrad?: boolean;
  /** "float32" (default; "float64" for a Float64Array) or "float64". */
  dtype?: DType;
}

/** The options of zeros, ones, full, rand, randn and arange. */
export interface FactoryOptions {
  /** Record operations on it for backward() (default false). */
  requiresGrad?: boolean;
  /** "float32" (default) or "float64". */
  dtype?: DType;
  /** The random stream of rand and randn (default: the one torch.manualSeed seeds). */
  generator?: Generator;
}

/** The shape of a nested array, checking that it is rectangular. */
function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flattenNested(data: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== "number") throw new TypeError(`tensor: expected a number at depth ${dim}, got ${Array.isArray(data) ? "an array" : typeof data}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new RangeError(`tensor: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  for (const d of data) flattenNested(d, shape, dim + 1, out);
}

/**
 * A tensor from nested number arrays, or from a flat array/typed array with `shape`.
 * @example torch.tensor([[1, 2], [3, 4]]) // shape [2, 2]
 * @example torch.tensor(new Float32Array(6), { shape: [2, 3] }) // shape [2, 3]
 * @throws RangeError on ragged nested arrays or a shape that does not hold the data.
 * @example torch.tensor(7).item() // => 7
 * @example torch.tensor([[1, 2], [3]]) // throws RangeError: ragged
 */
export function tensor(data: NestedArray | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  const dtype = options.dtype ?? (data instanceof Float64Array ? "float64" : "float32");
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof data === "number") {
    flat = [data];
    shape = [];
  } else if (Array.isArray(data) && (data.length === 0 || Array.isArray(data[0]))) {
    shape = nestedShape(data);
    const out: number[] = [];
    flattenNested(data, shape, 0, out);
    flat = out;
  } else {
    flat = data as ArrayLike<number>;
    shape = [flat.length];
  }
  if (options.shape) {
    if (numelOf(options.shape) !== flat.length) {
      throw new RangeError(`tensor: shape ${shapeStr(options.shape)} needs ${numelOf(options.shape)} elements, got ${flat.length}`);
    }
    shape = [...options.shape];
  }
  const storage: Storage = alloc(dtype, flat.length);
  storage.set(flat);
  return new Tensor(storage, shape, { requiresGrad: options.requiresGrad });
}

function filled(shape: readonly number[], options: FactoryOptions, fill: (i: number) => number): Tensor {
  for (const s of shape) if (!Number.isInteger(s) || s < 0) throw new RangeError(`invalid shape ${shapeStr(shape)}`);
  const d = alloc(options.dtype ?? "float32", numelOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = fill(i);
  return new Tensor(d, shape, { requiresGrad: options.requiresGrad });
}

/**
 * A tensor of zeros.
 * @throws RangeError on a negative or fractional size.
 * @example torch.zeros([2, 3]) // shape [2, 3]
 */
export const zeros = (shape: readonly number[], o: FactoryOptions = {}) => filled(shape, o, () => 0);
/**
 * A tensor of ones.
 * @example torch.ones([2], { dtype: "float64" }).dtype // => "float64"
 */
export const ones = (shape: readonly number[], o: FactoryOptions = {}) => filled(shape, o, () => 1);
/**
 * A tensor filled with `value`.
 * @example torch.full([2], 7) // => [7, 7]
 */
export const full = (shape: readonly number[], value: number, o: FactoryOptions = {}) => filled(shape, o, () => value);
/**
 * Uniform on [0, 1).
 * @example torch.rand([1000]).max().item() < 1 // => true
 */
export const rand = (shape: readonly number[], o: FactoryOptions = {}) => filled(shape, o, () => (o.generator ?? defaultGenerator).random());
/**
 * Standard normal.
 * @example Math.abs(torch.randn([10000]).mean().item()) < 0.05 // => true
 */
export const randn = (shape: readonly number[], o: FactoryOptions = {}) => filled(shape, o, () => (o.generator ?? defaultGenerator).normal());
/**
 * Zeros of t's shape and dtype.
 * @example torch.zerosLike(torch.ones([2, 2])) // => [[0, 0], [0, 0]]
 */
export const zerosLike = (t: Tensor) => zeros(t.shape, { dtype: t.dtype });
/**
 * Ones of t's shape and dtype.
 * @example torch.onesLike(torch.zeros([3])) // => [1, 1, 1]
 */
export const onesLike = (t: Tensor) => ones(t.shape, { dtype: t.dtype });

/**
 * start, start + step, ... up to (not including) end; arange(n) is 0..n-1.
 * @throws RangeError when step is 0.
 * @example torch.arange(4) // => [0, 1, 2, 3]
 * @example torch.arange(1, 2, 0.25) // => [1, 1.25, 1.5, 1.75]
 */
export function arange(start: number, end?: number, step = 1, o: FactoryOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  return filled([n], o, (i) => start + i * step);
}
