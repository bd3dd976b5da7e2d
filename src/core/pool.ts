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

const free = { float32: new Map<number, Float32Array[]>(), float64: new Map<number, Float64Array[]>() };
let pooledBytes = 0;

/** A recycled, zeroed array of exactly n elements, or null. */
export function takePooled(dtype: DType, n: number): Storage | null {
  if (n < POOL_MIN_LENGTH) return null;
  const a = free[dtype].get(n)?.pop();
  if (!a) return null;
  pooledBytes -= a.byteLength;
  return a.fill(0);
}

/** Gives back an array nobody references any more (the caller's promise). */
export function recycle(a: Storage): void {
  if (a.length < POOL_MIN_LENGTH || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
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
