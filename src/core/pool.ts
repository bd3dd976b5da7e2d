// Recycled storage for large arrays. A fresh Float32Array of a few hundred kilobytes costs far
// more than its size suggests: its memory comes from the OS and every page faults on first
// touch (measured here: ~400 us to allocate and fill 1.9 MB, against ~50 us to refill a reused
// one), and a LeNet-5 step makes a dozen such arrays. Arrays whose owner knows they are dead (the
// autograd engine's gradient temporaries, see autograd/backward.ts; private activations, see
// autograd/private.ts) come back here, and alloc() hands them out again, zeroed, to the next
// request of the same length; those of the WebAssembly memory go back to its allocator.

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
  /** A zeroed array of n floats, or null. */
  take(n: number): Float32Array | null;
  /** Whether take(n) would give an array now (then an n-float array from elsewhere is not worth keeping). */
  wouldTake(n: number): boolean;
  /** Whether `a` is an array it handed out (that very object) and has not taken back. */
  owns(a: Storage): boolean;
  /** Takes back one of its arrays that is dead. */
  giveBack(a: Float32Array): void;
  /** Told of each JS float32 array given back to the pool: proof that memory of that size gets reused. */
  returned(a: Float32Array): void;
}
let source: LargeArraySource | null = null;

export function setLargeArraySource(s: LargeArraySource | null): void {
  source = s;
}

/** Whether `a` is one of the source's arrays (whose memory only the pool gives back). */
export function fromSource(a: Storage): boolean {
  return source !== null && source.owns(a);
}

/** A zeroed float32 array of n elements from the source, or null. */
export function takeFromSource(dtype: DType, n: number): Storage | null {
  return dtype === "float32" && n >= POOL_MIN_LENGTH && source !== null ? source.take(n) : null;
}

const free = { float32: new Map<number, Float32Array[]>(), float64: new Map<number, Float64Array[]>() };
let pooledBytes = 0;
/** The arrays in `free` now: recycling one twice would hand it out twice. */
const inPool = new WeakSet<Storage>();
/** How many times takePooled handed each array out (see recycleIfUnchanged). */
const issues = new WeakMap<Storage, number>();

/** A recycled, zeroed array of exactly n elements, or null. */
export function takePooled(dtype: DType, n: number): Storage | null {
  if (n < POOL_MIN_LENGTH) return null;
  const a = free[dtype].get(n)?.pop();
  if (!a) return null;
  pooledBytes -= a.byteLength;
  inPool.delete(a);
  issues.set(a, (issues.get(a) ?? 0) + 1);
  a.fill(0);
  return a;
}

/** Gives back an array nobody references any more (the caller's promise). */
export function recycle(a: Storage): void {
  if (a.length < POOL_MIN_LENGTH || inPool.has(a)) return;
  if (source !== null && source.owns(a)) return source.giveBack(a as Float32Array);
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return; // a view: not ours to keep
  if (source !== null && a instanceof Float32Array) {
    source.returned(a);
    // Left to the GC where the source would give an array of its length: reused, a JS array
    // would be copied into and out of the source's memory at every kernel call.
    if (source.wouldTake(a.length)) return;
  }
  if (pooledBytes + a.byteLength > POOL_MAX_BYTES) return;
  const lists = free[a instanceof Float64Array ? "float64" : "float32"] as Map<number, Storage[]>;
  let list = lists.get(a.length);
  if (!list) lists.set(a.length, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
  inPool.add(a);
}

/** The number of times the pool has handed `a` out: a stamp for recycleIfUnchanged. */
export function issueCount(a: Storage): number {
  return issues.get(a) ?? 0;
}

/**
 * Recycles `a` unless it went back to the pool since `stamp` (issueCount(a) then) was read:
 * already there, or handed out again to a new owner. For an owner that learns late that an array
 * is dead (autograd/private.ts), where another path may have recycled it first. (The source's
 * arrays need no stamp: it takes back only the very array it handed out, once.)
 */
export function recycleIfUnchanged(a: Storage, stamp: number): void {
  if (issueCount(a) === stamp) recycle(a);
}

/** The bytes held for reuse (for tests and memory reports). */
export function pooledByteCount(): number {
  return pooledBytes;
}
