// Storage types. Tensors are float32 by default; float64 exists so that gradient checks by
// finite differences are accurate (the reference kernels are generic over both).

import { takeFromSource, takePooled } from "./pool.js";
import { takeSlab } from "./slab.js";

/** A tensor's element type: "float32" (the default) or "float64" (gradient checks). */
export type DType = "float32" | "float64";
export type Storage = Float32Array | Float64Array;

/**
 * A zeroed array of n elements: a recycled one when the pool has that length (core/pool.ts), a
 * view into a shared buffer for mid-sized ones (core/slab.ts), one in the backend's memory for
 * large float32 ones while it offers them (core/pool.ts LargeArraySource), else a new array.
 */
export function alloc(dtype: DType, n: number): Storage {
  const a = takePooled(dtype, n) ?? takeSlab(dtype, n) ?? takeFromSource(dtype, n) ?? (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  if (tracker !== null) tracker.push(a);
  return a;
}

/**
 * Lists `a` as if alloc() had just handed it out: for a result that a sibling backward function
 * allocated ahead of time (ops/matmul.ts linear: dW made with dx), so that the engine still sees
 * it as the call's own fresh array.
 */
export function adoptAllocation(a: Storage): void {
  if (tracker !== null) tracker.push(a);
}

/** While set, alloc() lists the arrays it hands out (see autograd/backward.ts). */
let tracker: Storage[] | null = null;

/** Makes alloc() list the arrays it hands out in `into` (null: stop); returns the previous list. */
export function setAllocationTracker(into: Storage[] | null): Storage[] | null {
  const outer = tracker;
  tracker = into;
  return outer;
}

export function dtypeOf(data: Storage): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

/** The wider of two dtypes: float64 wins, as PyTorch's type promotion does. */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}
