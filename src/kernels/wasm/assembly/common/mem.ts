// Memory helpers of every kernel, inlined: byte sizes and addresses, short copies and fills of
// float32 runs.
// NOTE: V8 runs memory.copy/memory.fill as calls into the runtime, which cost more than the
// copy itself for the short runs here (rows of 28 floats, planes of one).

// @ts-ignore: decorator
@inline export function fillF32(dst: usize, n: i32, v: f32): void {
  const b = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), b);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), v);
}

/**
 * Zeroes n floats at `at` (resident arrays, see ../../runtime/resident.ts): memory.fill, a memset, where
 * JavaScript's fill on a shared buffer writes element by element, ~10x slower.
 */
export function zeroF32(at: usize, n: i32): void {
  memory.fill(at, 0, <usize>n << 2);
}

// @ts-ignore: decorator
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Bytes of n floats. */
// @ts-ignore: decorator
@inline export function f32s(n: i32): usize {
  return <usize>n << 2;
}

/** Bytes of n vectors of four floats. */
// @ts-ignore: decorator
@inline export function vecs(n: i32): usize {
  return <usize>n << 4;
}

/** The byte address of element i of a 4-byte array (float32 or i32) at p. */
// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Adds v to the vector at p. */
// @ts-ignore: decorator
@inline export function addVector(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}
