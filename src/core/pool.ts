// Recycled storage for large arrays. A fresh Float32Array of a few hundred kilobytes costs far
// more than its size suggests: its memory comes from the OS and every page faults on first
// touch (measured here: ~400 us to allocate and fill 1.9 MB, against ~50 us to refill a reused
// one), and a LeNet-5 step makes a dozen such arrays. Arrays whose owner knows they are dead (the
// autograd engine's gradient temporaries, see autograd/backward.ts) come back here, and alloc()
// hands them out again, zeroed, to the next request of the same length.

import type { DType, Storage } from "./dtype.js";

/** Arrays shorter than this are cheap to allocate and are never pooled. */
export const POOL_MIN_LENGTH = 4096;
/** The most bytes the pool keeps; beyond this, recycled arrays are left to the GC. */
const POOL_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Where new large float32 arrays may come from instead of the JS heap: the "wasm" backend places
 * them in its own memory (kernels/wasm/runtime/resident.ts) so that its kernels read and write them
 * without copies. `owns` tells its whole arrays, which recycle() takes like any other.
 */
export interface LargeArraySource {
  take(n: number): Float32Array | null;
  owns(a: Storage): boolean;
  /** Zeroes one of its arrays (faster than fill, which writes a shared buffer element by element). */
  zero(a: Float32Array): void;
}
let source: LargeArraySource | null = null;

export function setLargeArraySource(s: LargeArraySource | null): void {
  source = s;
}

/** A zeroed float32 array of n elements from the source, or null. */
export function takeFromSource(dtype: DType, n: number): Storage | null {
  return dtype === "float32" && n >= POOL_MIN_LENGTH && source !== null ? source.take(n) : null;
}

const free = { float32: new Map<number, Float32Array[]>(), float64: new Map<number, Float64Array[]>() };
let pooledBytes = 0;

/** A recycled, zeroed array of exactly n elements, or null. */
export function takePooled(dtype: DType, n: number): Storage | null {
  if (n < POOL_MIN_LENGTH) return null;
  const a = free[dtype].get(n)?.pop();
  if (!a) return null;
  pooledBytes -= a.byteLength;
  if (source !== null && source.owns(a)) source.zero(a as Float32Array);
  else a.fill(0);
  return a;
}

/** Gives back an array nobody references any more (the caller's promise). */
export function recycle(a: Storage): void {
  if (a.length < POOL_MIN_LENGTH) return;
  // NOTE: a source's array is a view into memory the GC cannot give back to the source: dropped,
  // it would be lost, so it is pooled past the limit (the source caps its own total).
  const sourced = source !== null && source.owns(a);
  if (!sourced && (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength)) return;
  if (!sourced && pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  const lists = free[a instanceof Float64Array ? "float64" : "float32"] as Map<number, Storage[]>;
  let list = lists.get(a.length);
  if (!list) lists.set(a.length, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
}

/** The bytes held for reuse (for tests and memory reports). */
export function pooledByteCount(): number {
  return pooledBytes;
}
