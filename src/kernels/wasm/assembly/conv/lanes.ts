// Four images in the four lanes of a vector: what the direct kernels that work that way
// (conv2d-lanes.ts forward, conv2d-input.ts input gradient) share to stage their operands and
// store their results, and the size of their blocks of sums.

import { f32s } from "../common/mem";

/**
 * n floats of each of cnt <= 4 images (image j at src + j * imageStride bytes) as n vectors at
 * out: vector i holds element i of every image, zero in the lanes of images that do not exist.
 */
// @ts-ignore: decorator
@inline export function interleaveRow(src: usize, imageStride: usize, cnt: i32, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = src + f32s(i);
    const a = v128.load(p);
    const b = cnt > 1 ? v128.load(p + imageStride) : zero;
    const c = cnt > 2 ? v128.load(p + 2 * imageStride) : zero;
    const d = cnt > 3 ? v128.load(p + 3 * imageStride) : zero;
    storeTransposed(a, b, c, d, out + (<usize>i << 4), 16, 4);
  }
  for (; i < n; i++)
    for (let j = 0; j < 4; j++) store<f32>(out + (<usize>i << 4) + f32s(j), j < cnt ? load<f32>(src + f32s(i) + <usize>j * imageStride) : 0);
}

/** The 4x4 block with rows a, b, c, d transposed: its first `rows` rows to at, at + stride, ... */
// @ts-ignore: decorator
@inline export function storeTransposed(a: v128, b: v128, c: v128, d: v128, at: usize, stride: usize, rows: i32): void {
  const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(at, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
  if (rows > 1) v128.store(at + stride, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7));
  if (rows > 2) v128.store(at + 2 * stride, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5));
  if (rows > 3) v128.store(at + 3 * stride, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7));
}

/** Lane j of v to at + j * stride, for the cnt images that exist. */
// @ts-ignore: decorator
@inline export function storeLanes(at: usize, stride: usize, v: v128, cnt: i32): void {
  store<f32>(at, f32x4.extract_lane(v, 0));
  if (cnt > 1) store<f32>(at + stride, f32x4.extract_lane(v, 1));
  if (cnt > 2) store<f32>(at + 2 * stride, f32x4.extract_lane(v, 2));
  if (cnt > 3) store<f32>(at + 3 * stride, f32x4.extract_lane(v, 3));
}

/**
 * Positions per block for a block of NB channels (1, 2 or 4) in the inner loops of conv2d-lanes.ts
 * and conv2d-input.ts: blocks of 1 x 6, 2 x 4 and 4 x 2 sums (see their NOTEs on registers).
 */
// @ts-ignore: decorator
@inline export function positionsFor(NB: i32): i32 {
  return NB == 1 ? 6 : NB == 2 ? 4 : 2;
}

/**
 * Row r of channels [c, c + nb) from `row` ((nb, W) vectors, four images each) out to the cnt
 * images that exist, each (C, H, W) floats from `out` on.
 */
export function flushRow(row: usize, nb: i32, out: usize, C: i32, H: i32, W: i32, cnt: i32, c: i32, r: i32): void {
  const image = f32s(C * H * W);
  for (let b = 0; b < nb; b++) {
    const src = row + (<usize>(b * W) << 4), dst = out + f32s(((c + b) * H + r) * W);
    let i = 0;
    for (; i + 4 <= W; i += 4) {
      const p = src + (<usize>i << 4);
      storeTransposed(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), dst + f32s(i), image, cnt);
    }
    for (; i < W; i++) storeLanes(dst + f32s(i), image, v128.load(src + (<usize>i << 4)), cnt);
  }
}
