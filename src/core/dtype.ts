// Storage types. Tensors are float32 by default; float64 exists so that gradient checks by
// finite differences are accurate (the reference kernels are generic over both).

import { takePooled } from "./pool.js";

export type DType = "float32" | "float64";
export type Storage = Float32Array | Float64Array;

/** A zeroed array of n elements (a recycled one when the pool has that length). */
export function alloc(dtype: DType, n: number): Storage {
  const a = takePooled(dtype, n) ?? (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  if (tracker) tracker.add(a);
  return a;
}

/** While set, alloc() records the arrays it hands out (see autograd/backward.ts). */
let tracker: Set<Storage> | null = null;

/** Runs fn with alloc() recording its arrays in `into`. */
export function trackAllocations<T>(into: Set<Storage>, fn: () => T): T {
  const outer = tracker;
  tracker = into;
  try {
    return fn();
  } finally {
    tracker = outer;
  }
}

export function dtypeOf(data: Storage): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

/** The wider of two dtypes: float64 wins, as PyTorch's type promotion does. */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}
