// Small arrays cut out of shared ArrayBuffers ("slabs"). In V8 a typed array of more than 64
// bytes gets an ArrayBuffer of its own, off the JS heap: calloc, external-memory accounting and
// a GC finaliser, ~3.3 us for 784 floats (a batch-1 logistic regression's weight gradient, once
// a step), against ~0.2 us for a view into a slab. A slab region is handed out once and never
// again: fresh ArrayBuffer memory is zeroed, so views need no fill, and a slab's memory goes back
// when the GC finds no view into it.
// NOTE: one live view keeps its whole slab alive. Slabs are per size class (powers of two) and
// hold at most 16 arrays of their class, so a retained array pins at most 16x its class (under
// 32x its own bytes) and never more than 64 KiB.

import type { DType, Storage } from "./dtype.js";
import { POOL_MIN_LENGTH } from "./pool.js";

/** V8 keeps typed arrays up to this many bytes inside the object, on its heap: already cheap. */
export const ON_HEAP_BYTES = 64;
const SLAB_BYTES = 64 * 1024;
const ARRAYS_PER_SLAB = 16;

interface Slab {
  buffer: ArrayBuffer;
  used: number;
}

/** The slab being filled for each size class, indexed by log2 of the class's bytes. */
const slabs: (Slab | undefined)[] = [];

/**
 * A zeroed array of n elements viewing a slab, for lengths between V8's on-heap size and the
 * pool's (core/pool.ts); null for other lengths.
 */
export function takeSlab(dtype: DType, n: number): Storage | null {
  const bytes = dtype === "float64" ? 8 * n : 4 * n;
  if (bytes <= ON_HEAP_BYTES || n >= POOL_MIN_LENGTH) return null;
  const k = 32 - Math.clz32(bytes - 1); // class bytes: 2^k >= bytes
  const size = (bytes + 7) & ~7; // keeps every offset 8-byte aligned, as a Float64Array needs
  let s = slabs[k];
  if (s === undefined || s.used + size > s.buffer.byteLength) {
    s = slabs[k] = { buffer: new ArrayBuffer(Math.min(SLAB_BYTES, ARRAYS_PER_SLAB << k)), used: 0 };
  }
  const at = s.used;
  s.used += size;
  return dtype === "float64" ? new Float64Array(s.buffer, at, n) : new Float32Array(s.buffer, at, n);
}
