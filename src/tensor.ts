// The Tensor: contiguous storage, a shape, and autograd state. Every method is a one-line
// delegation to an op in src/ops/, where the math and its backward live.

import type { BackwardOptions } from "./autograd/backward.js";
import { runBackward } from "./autograd/backward.js";
import type { Node } from "./autograd/node.js";
import { dtypeOf, type DType, type Storage } from "./core/dtype.js";
import { numelOf, shapeStr } from "./core/shape.js";
import * as ew from "./ops/elementwise.js";
import * as mm from "./ops/matmul.js";
import * as red from "./ops/reduce.js";
import * as sh from "./ops/shape.js";
import * as sm from "./ops/softmax.js";
import { formatTensor } from "./format.js";

/** A number or nested arrays of numbers, as torch.tensor takes and Tensor.toArray gives. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32 (or float64) values with autograd, as torch.Tensor.
 * Make one with torch.tensor, zeros, ones, rand, randn or arange; every method is also a function (x.add(y) = torch.add(x, y)).
 * @example
 * const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = x.mul(x).sum();
 * loss.backward();
 * x.grad // => [[2, 4], [6, 8]]
 * x.shape // => [2, 2]
 */
export class Tensor {
  /** The flat row-major storage (shared by views such as reshape). */
  readonly data: Storage;
  /** The size of each dim, outermost first ([] for a 0-d tensor). */
  readonly shape: number[];
  /** Whether ops on it are recorded so that backward() fills its .grad. */
  requiresGrad: boolean;
  /** The accumulated gradient of a leaf after backward(). */
  grad: Tensor | null = null;
  /** The op that produced this tensor; null for leaves. */
  gradFn: Node | null = null;

  /**
   * Wraps flat row-major storage with a shape (no copy).
   * @throws RangeError when the shape does not hold data.length elements.
   */
  constructor(data: Storage, shape: readonly number[], options: { requiresGrad?: boolean } = {}) {
    if (numelOf(shape) !== data.length) {
      throw new RangeError(`Tensor: shape ${shapeStr(shape)} needs ${numelOf(shape)} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
    this.requiresGrad = options.requiresGrad ?? false;
  }

  /** "float32" or "float64". */
  get dtype(): DType { return dtypeOf(this.data); }
  /** The number of elements (torch's numel()). */
  get numel(): number { return this.data.length; }
  /** The number of dims. */
  get ndim(): number { return this.shape.length; }
  /** Whether no recorded op produced it (a parameter or an input). */
  get isLeaf(): boolean { return this.gradFn === null; }
  /**
   * The shape (a copy), or the size of one dim (negative counts from the end), as torch's size().
   * @example torch.zeros([2, 3]).size(-1) // => 3
   */
  size(dim?: number): number | number[] { return dim === undefined ? [...this.shape] : this.shape[dim < 0 ? dim + this.ndim : dim]; }

  /**
   * The value of a one-element tensor, as a number.
   * @throws RangeError when it has more than one element.
   * @example torch.tensor([[5]]).item() // => 5
   */
  item(): number {
    if (this.numel !== 1) throw new RangeError(`item: a Tensor with ${this.numel} elements cannot be converted to a number`);
    return this.data[0];
  }

  /** Nested arrays, like PyTorch's tolist(). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return this.data[offset];
      const stride = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** A printout in PyTorch's format (`tensor([[1., 2.]])`). */
  toString(): string { return formatTensor(this); }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }

  // ---- autograd
  /** Accumulates d(this)/d(leaf) into each leaf's .grad that requires it; `gradient` is needed unless this has one element. */
  backward(gradient?: Tensor, options?: BackwardOptions): void { runBackward(this, gradient, options); }
  /** A tensor sharing this one's storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this.data, this.shape); }
  /** An independent copy of the storage (still cut from the graph). */
  clone(): Tensor { return new Tensor(this.data.slice(), this.shape); }
  /** Sets requiresGrad in place and returns this (torch's requires_grad_()). */
  requiresGrad_(flag = true): this { this.requiresGrad = flag; return this; }
  /**
   * This tensor in another dtype (itself when it already has it).
   * @example torch.ones([2]).to("float64").dtype // => "float64"
   */
  to(dtype: DType): Tensor { return dtype === this.dtype ? this : new Tensor(dtype === "float64" ? Float64Array.from(this.data) : Float32Array.from(this.data), this.shape); }

  // ---- elementwise
  /** this + o (torch.add). */
  add(o: Tensor | number): Tensor { return ew.add(this, o); }
  /** this - o (torch.sub). */
  sub(o: Tensor | number): Tensor { return ew.sub(this, o); }
  /** this * o (torch.mul). */
  mul(o: Tensor | number): Tensor { return ew.mul(this, o); }
  /** this / o (torch.div). */
  div(o: Tensor | number): Tensor { return ew.div(this, o); }
  /** this ** o (torch.pow). */
  pow(o: Tensor | number): Tensor { return ew.pow(this, o); }
  /** Elementwise max(this, o) (torch.maximum). */
  maximum(o: Tensor | number): Tensor { return ew.maximum(this, o); }
  /** -this (torch.neg). */
  neg(): Tensor { return ew.neg(this); }
  /** e^this (torch.exp). */
  exp(): Tensor { return ew.exp(this); }
  /** Natural log (torch.log). */
  log(): Tensor { return ew.log(this); }
  /** Square root (torch.sqrt). */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** |this| (torch.abs). */
  abs(): Tensor { return ew.abs(this); }
  /** Logistic sigmoid (torch.sigmoid). */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /** Hyperbolic tangent (torch.tanh). */
  tanh(): Tensor { return ew.tanh(this); }
  /** max(this, 0) (torch.relu). */
  relu(): Tensor { return ew.relu(this); }
  /**
   * 1 where this == o, else 0 (a float tensor; no gradient).
   * @example torch.tensor([1, 2, 3]).eq(2) // => [0, 1, 0]
   */
  eq(o: Tensor | number): Tensor { return ew.compare("eq", this, o); }
  /** 1 where this != o, else 0. */
  ne(o: Tensor | number): Tensor { return ew.compare("ne", this, o); }
  /** 1 where this < o, else 0. */
  lt(o: Tensor | number): Tensor { return ew.compare("lt", this, o); }
  /** 1 where this <= o, else 0. */
  le(o: Tensor | number): Tensor { return ew.compare("le", this, o); }
  /** 1 where this > o, else 0. */
  gt(o: Tensor | number): Tensor { return ew.compare("gt", this, o); }
  /** 1 where this >= o, else 0. */
  ge(o: Tensor | number): Tensor { return ew.compare("ge", this, o); }

  // ---- reductions
  /** Sum, of all elements or over dim (torch.sum). */
  sum(dim?: number, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  /** Mean, of all elements or over dim (torch.mean). */
  mean(dim?: number, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /** Maximum values, of all elements or over dim (torch.max; use argmax for indices). */
  max(dim?: number, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  /** Indices of the maxima (torch.argmax). */
  argmax(dim?: number, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  /** Softmax along dim (torch.softmax). */
  softmax(dim = -1): Tensor { return sm.softmax(this, dim); }
  /** Log-softmax along dim (torch.logSoftmax). */
  logSoftmax(dim = -1): Tensor { return sm.logSoftmax(this, dim); }

  // ---- shape
  /** The same storage with a new shape, -1 inferred (torch.reshape). */
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /**
   * PyTorch's view(): the same as reshape (torchlet's tensors are always contiguous).
   * @example torch.zeros([2, 3, 4]).view([-1]) // shape [24]
   */
  view(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /** Merges dims startDim..endDim into one (torch.flatten). */
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  /** Reorders the dims (torch.permute). */
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  /** Swaps two dims (torch.transpose). */
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /**
   * All dims reversed (a matrix's transpose).
   * @example torch.zeros([2, 3]).T // shape [3, 2]
   */
  get T(): Tensor { return sh.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  /** Removes dims of size 1 (torch.squeeze). */
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  /** Inserts a dim of size 1 (torch.unsqueeze). */
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  /** Picks entries along dim (torch.index_select). */
  indexSelect(dim: number, indices: Tensor | readonly number[]): Tensor { return sh.indexSelect(this, dim, indices); }

  // ---- linear algebra
  /** Matrix product (torch.matmul). */
  matmul(o: Tensor): Tensor { return mm.matmul(this, o); }
}
