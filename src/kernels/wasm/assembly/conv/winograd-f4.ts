// The transforms of Winograd F(4x4, 3x3) (driven by winograd.ts): 4x4 output tiles from 6x6 input
// patches, 36 products per tile and channel pair (2.25 per output against 9: 4x fewer).
// The interpolation points 0, 1, -1, 2, -2 and infinity (Lavin and Gray's matrices):
//   B^T = [4  0 -5  0 1 0;   G = [ 1/4     0    0;   A^T = [1 1  1 1  1 0;
//          0 -4 -4  1 1 0;        -1/6  -1/6 -1/6;          0 1 -1 2 -2 0;
//          0  4 -4 -1 1 0;        -1/6   1/6 -1/6;          0 1  1 4  4 0;
//          0 -2 -1  2 1 0;         1/24  1/12 1/6;          0 1 -1 8 -8 1]
//          0  2 -1 -2 1 0;         1/24 -1/12 1/6;
//          0  4  0 -5 0 1]         0     0    1]
// Each vector function works on a group of four tiles side by side in a tile row, one in each
// lane; a transform's k-th matrix element goes to out + k * kStride.

import { activate4 } from "../elementwise/elementwise";
import { storeTransposed } from "./lanes";
import { f32s } from "../common/mem";

/** G v for a 3-vector v (v0, v1, v2 at p, p + step, p + 2 step), to out + k * ostep. */
// @ts-ignore: decorator
@inline function applyG(v0: f32, v1: f32, v2: f32, out: usize, ostep: usize): void {
  const sixth: f32 = 1.0 / 6.0;
  store<f32>(out, 0.25 * v0);
  store<f32>(out + ostep, -sixth * (v0 + v1 + v2));
  store<f32>(out + 2 * ostep, -sixth * (v0 - v1 + v2));
  store<f32>(out + 3 * ostep, (1.0 / 24.0) * v0 + (1.0 / 12.0) * v1 + sixth * v2);
  store<f32>(out + 4 * ostep, (1.0 / 24.0) * v0 - (1.0 / 12.0) * v1 + sixth * v2);
  store<f32>(out + 5 * ostep, v2);
}

/** u[k * plane] = (G g G^T)[k] for the 3x3 kernel g (9 floats at g); e: 18 floats of scratch. */
export function weights4(g: usize, u: usize, plane: usize, e: usize): void {
  // t = G g (6 rows of 3), column by column; then each row of t times G^T
  for (let j = 0; j < 3; j++) applyG(load<f32>(g + f32s(j)), load<f32>(g + f32s(3 + j)), load<f32>(g + f32s(6 + j)), e + f32s(j), 12);
  for (let r = 0; r < 6; r++) {
    const t = e + f32s(3 * r);
    applyG(load<f32>(t), load<f32>(t, 4), load<f32>(t, 8), u + plane * <usize>(6 * r), plane);
  }
}

/** B^T d for a 6-vector d (d0..d5 vectors), to out + k * step (k = 0..5). */
// @ts-ignore: decorator
@inline function applyBT(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, step: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  v128.store(out, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  const a = f32x4.sub(d4, f32x4.mul(four, d2)), b = f32x4.sub(d3, f32x4.mul(four, d1));
  v128.store(out + step, f32x4.add(a, b)); // -4 d1 - 4 d2 + d3 + d4
  v128.store(out + 2 * step, f32x4.sub(a, b)); // 4 d1 - 4 d2 - d3 + d4
  const c = f32x4.sub(d4, d2), d = f32x4.mul(two, f32x4.sub(d3, d1));
  v128.store(out + 3 * step, f32x4.add(c, d)); // -2 d1 - d2 + 2 d3 + d4
  v128.store(out + 4 * step, f32x4.sub(c, d)); // 2 d1 - d2 - 2 d3 + d4
  v128.store(out + 5 * step, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** B^T d B of the four 6x6 patches from p (rows Wp floats apart) to out; e: 60 vectors of scratch. */
export function inputGroup4(p: usize, Wp: i32, out: usize, kStride: usize, e: usize): void {
  // Row i: tile l's column j is p[4l + j]: a 4x4 transpose of the first 16 floats gives columns
  // 0-3, of floats 4-19 columns 4 and 5. Then d B along the row, to e[i][0..5].
  const cols = e + 576;
  for (let i = 0; i < 6; i++) {
    const q = p + f32s(i * Wp);
    const a = v128.load(q), b = v128.load(q, 16), c = v128.load(q, 32), d = v128.load(q, 48), f = v128.load(q, 64);
    storeTransposed(a, b, c, d, cols, 16, 4);
    storeTransposed(b, c, d, f, cols + 64, 16, 2);
    applyBT(v128.load(cols), v128.load(cols, 16), v128.load(cols, 32), v128.load(cols, 48), v128.load(cols, 64), v128.load(cols, 80), e + (<usize>(6 * i) << 4), 16);
  }
  // B^T along each column j: to out[(6r + j)]
  for (let j = 0; j < 6; j++) {
    const q = e + (<usize>j << 4);
    applyBT(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480), out + kStride * <usize>j, kStride * 6);
  }
}

/** A^T m for a 6-vector m (m0..m5 vectors), to out + r * step (r = 0..3). */
// @ts-ignore: decorator
@inline function applyAT(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, step: usize): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(out + step, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)));
  v128.store(out + 2 * step, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)));
  v128.store(out + 3 * step, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5));
}

/**
 * A^T m A (+ bias, activation) of the four 6x6 matrices at src (one in each lane), to y: the
 * first `rows` rows of each 4x4 result; lane l's from dst + l * laneStride, its first
 * min(4, cols0 - l * colStep) columns, for lanes l < lanes. Four tiles of a tile row: laneStride 16
 * bytes, colStep 4, one bias for all (perLane false); four output channels of one tile:
 * laneStride a plane, colStep 0, a bias each (4 floats at bias). e: 44 vectors of scratch.
 */
export function outputGroup4(
  src: usize, kStride: usize, bias: usize, perLane: bool, act: i32, dst: usize, OW: i32, rows: i32,
  laneStride: usize, lanes: i32, cols0: i32, colStep: i32, e: usize,
): void {
  // m A along each row i, to f[i][0..3]
  for (let i = 0; i < 6; i++) {
    const q = src + kStride * <usize>(6 * i);
    applyAT(v128.load(q), v128.load(q + kStride), v128.load(q + 2 * kStride), v128.load(q + 3 * kStride), v128.load(q + 4 * kStride), v128.load(q + 5 * kStride), e + (<usize>(4 * i) << 4), 16);
  }
  // A^T along each column j, to y[r][j]
  const y = e + 384;
  for (let j = 0; j < 4; j++) {
    const q = e + (<usize>j << 4);
    applyAT(v128.load(q), v128.load(q, 64), v128.load(q, 128), v128.load(q, 192), v128.load(q, 256), v128.load(q, 320), y + (<usize>j << 4), 64);
  }
  const t = e + 640, b = perLane ? v128.load(bias) : f32x4.splat(load<f32>(bias));
  const whole = colStep == 4 && cols0 >= 16 && laneStride == 16;
  for (let r = 0; r < rows; r++) {
    const q = y + (<usize>r << 6);
    const y0 = activate4(act, f32x4.add(v128.load(q), b)), y1 = activate4(act, f32x4.add(v128.load(q, 16), b));
    const y2 = activate4(act, f32x4.add(v128.load(q, 32), b)), y3 = activate4(act, f32x4.add(v128.load(q, 48), b));
    const row = dst + f32s(r * OW);
    // transposed: vector l holds lane l's four columns
    if (whole) {
      storeTransposed(y0, y1, y2, y3, row, 16, 4);
      continue;
    }
    storeTransposed(y0, y1, y2, y3, t, 16, 4);
    for (let l = 0; l < lanes; l++) {
      const n = min(4, cols0 - l * colStep), out = row + laneStride * <usize>l, from = t + (<usize>l << 4);
      if (n <= 0) break;
      if (n == 4) v128.store(out, v128.load(from));
      else for (let s = 0; s < n; s++) store<f32>(out + f32s(s), load<f32>(from + f32s(s)));
    }
  }
}

/** A y for a 4-vector y (y0..y3 vectors), to out + k * step (k = 0..5). */
// @ts-ignore: decorator
@inline function applyA(y0: v128, y1: v128, y2: v128, y3: v128, out: usize, step: usize): void {
  const s02 = f32x4.add(y0, y2), s13 = f32x4.add(y1, y3);
  const a = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2)), c = f32x4.add(f32x4.mul(f32x4.splat(2), y1), f32x4.mul(f32x4.splat(8), y3));
  v128.store(out, y0);
  v128.store(out + step, f32x4.add(s02, s13));
  v128.store(out + 2 * step, f32x4.sub(s02, s13));
  v128.store(out + 3 * step, f32x4.add(a, c));
  v128.store(out + 4 * step, f32x4.sub(a, c));
  v128.store(out + 5 * step, y3);
}

/**
 * A dY A^T of four tiles' 4x4 gradients from q (rows Wp floats apart) to dst (k = 6r + j);
 * e: 28 vectors of scratch.
 */
export function gradientGroup4(q: usize, Wp: i32, dst: usize, kStride: usize, e: usize): void {
  // row i of the tiles: a transpose gives column j of the four tiles; then A along the row, to e[i][0..5]
  const cols = e + 384;
  for (let i = 0; i < 4; i++) {
    const p = q + f32s(i * Wp);
    storeTransposed(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), cols, 16, 4);
    applyA(v128.load(cols), v128.load(cols, 16), v128.load(cols, 32), v128.load(cols, 48), e + (<usize>(6 * i) << 4), 16);
  }
  for (let j = 0; j < 6; j++) {
    const p = e + (<usize>j << 4);
    applyA(v128.load(p), v128.load(p, 96), v128.load(p, 192), v128.load(p, 288), dst + kStride * <usize>j, kStride * 6);
  }
}

/** G^T s for a 6-vector s (s[k * step]), to out + i * ostep (i = 0..2). */
// @ts-ignore: decorator
@inline function applyGT(s: usize, step: usize, out: usize, ostep: usize): void {
  const s0 = load<f32>(s), s1 = load<f32>(s + step), s2 = load<f32>(s + 2 * step);
  const s3 = load<f32>(s + 3 * step), s4 = load<f32>(s + 4 * step), s5 = load<f32>(s + 5 * step);
  const sixth: f32 = 1.0 / 6.0;
  store<f32>(out, 0.25 * s0 - sixth * (s1 + s2) + (1.0 / 24.0) * (s3 + s4));
  store<f32>(out + ostep, sixth * (s2 - s1) + (1.0 / 12.0) * (s3 - s4));
  store<f32>(out + 2 * ostep, sixth * (s3 + s4 - s1 - s2) + s5);
}

/** The 3x3 gradient G^T S G of the 6x6 matrix S (s[k * plane]) to out; e: 18 floats of scratch. */
export function weightGradient4(s: usize, plane: usize, out: usize, e: usize): void {
  // t = G^T S (3 rows of 6), column by column; then each row of t times G
  for (let j = 0; j < 6; j++) applyGT(s + plane * <usize>j, plane * 6, e + f32s(j), 24);
  for (let i = 0; i < 3; i++) applyGT(e + f32s(6 * i), 4, out + f32s(3 * i), 4);
}
