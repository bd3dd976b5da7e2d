// The transforms of Winograd F(2x2, 3x3) (driven by winograd.ts): 2x2 output tiles from 4x4 input
// patches, 16 products per tile and channel pair.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// Each vector function works on a group of four tiles side by side in a tile row, one in each
// lane; a transform's k-th matrix element goes to out + k * kStride.

import { activate4 } from "../elementwise/elementwise";
import { f32s } from "../common/mem";

/** u[k * plane] = (G g G^T)[k] for the 3x3 kernel g (9 floats at g). */
export function weights2(g: usize, u: usize, plane: usize): void {
  // t = G g (4 rows of 3), then each row r of t times G^T: [a, (a+b+c)/2, (a-b+c)/2, c].
  for (let r = 0; r < 4; r++) {
    let a: f32, b: f32, c: f32;
    if (r == 0 || r == 3) {
      const row = g + f32s(r == 0 ? 0 : 6);
      a = load<f32>(row); b = load<f32>(row, 4); c = load<f32>(row, 8);
    } else {
      const s: f32 = r == 1 ? 1 : -1;
      a = 0.5 * (load<f32>(g) + load<f32>(g, 24) + s * load<f32>(g, 12));
      b = 0.5 * (load<f32>(g, 4) + load<f32>(g, 28) + s * load<f32>(g, 16));
      c = 0.5 * (load<f32>(g, 8) + load<f32>(g, 32) + s * load<f32>(g, 20));
    }
    const k = r * 4;
    store<f32>(u + plane * <usize>k, a);
    store<f32>(u + plane * <usize>(k + 1), 0.5 * (a + b + c));
    store<f32>(u + plane * <usize>(k + 2), 0.5 * (a - b + c));
    store<f32>(u + plane * <usize>(k + 3), c);
  }
}

/** Columns s = 0..3 of four tiles (lanes 2l + s of the 12 floats at p), times B along the row, to e. */
// @ts-ignore: decorator
@inline function inputRow(p: usize, e: usize): void {
  const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32);
  const c0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const c1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const c2 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 4, 6, 6), c, 0, 1, 2, 4);
  const c3 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 3, 5, 7, 7), c, 0, 1, 2, 5);
  // d B along the row: [c0 - c2, c1 + c2, c2 - c1, c1 - c3]
  v128.store(e, f32x4.sub(c0, c2));
  v128.store(e, f32x4.add(c1, c2), 16);
  v128.store(e, f32x4.sub(c2, c1), 32);
  v128.store(e, f32x4.sub(c1, c3), 48);
}

/** B^T d B of the four 4x4 patches from p (rows Wp floats apart) to out; e: 16 vectors of scratch. */
export function inputGroup2(p: usize, Wp: i32, out: usize, kStride: usize, e: usize): void {
  for (let i = 0; i < 4; i++) inputRow(p + f32s(i * Wp), e + (<usize>i << 6));
  // B^T along the column: rows [e0 - e2, e1 + e2, e2 - e1, e1 - e3]
  for (let j = 0; j < 4; j++) {
    const q = e + (<usize>j << 4);
    const e0 = v128.load(q), e1 = v128.load(q, 64), e2 = v128.load(q, 128), e3 = v128.load(q, 192);
    v128.store(out + kStride * <usize>j, f32x4.sub(e0, e2));
    v128.store(out + kStride * <usize>(4 + j), f32x4.add(e1, e2));
    v128.store(out + kStride * <usize>(8 + j), f32x4.sub(e2, e1));
    v128.store(out + kStride * <usize>(12 + j), f32x4.sub(e1, e3));
  }
}

/**
 * A^T m A (+ bias, activation) of the four 4x4 matrices at src (one in each lane), to y: the
 * first `rows` rows of each 2x2 result; lane l's from dst + l * laneStride, its first
 * min(2, cols0 - l * colStep) columns, for lanes l < lanes (see winograd-f4.ts outputGroup4).
 */
export function outputGroup2(
  src: usize, kStride: usize, bias: usize, perLane: bool, act: i32, dst: usize, OW: i32, rows: i32,
  laneStride: usize, lanes: i32, cols0: i32, colStep: i32, e: usize,
): void {
  // m A along each row i: f_i0 = m_i0 + m_i1 + m_i2, f_i1 = m_i1 - m_i2 - m_i3
  for (let i = 0; i < 4; i++) {
    const m0 = v128.load(src + kStride * <usize>(4 * i)), m1 = v128.load(src + kStride * <usize>(4 * i + 1));
    const m2 = v128.load(src + kStride * <usize>(4 * i + 2)), m3 = v128.load(src + kStride * <usize>(4 * i + 3));
    v128.store(e + (<usize>i << 5), f32x4.add(f32x4.add(m0, m1), m2));
    v128.store(e + (<usize>i << 5), f32x4.sub(f32x4.sub(m1, m2), m3), 16);
  }
  const b = perLane ? v128.load(bias) : f32x4.splat(load<f32>(bias));
  const whole = colStep == 2 && cols0 >= 8 && laneStride == 8;
  for (let r = 0; r < rows; r++) {
    // A^T along the column: row 0 = f0 + f1 + f2, row 1 = f1 - f2 - f3
    const y0 = activate4(act, f32x4.add(outputColumn(e, r), b)), y1 = activate4(act, f32x4.add(outputColumn(e + 16, r), b));
    // interleaved: lane l's two columns at floats 2l, 2l + 1
    const lo = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), hi = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
    const row = dst + f32s(r * OW);
    if (whole) {
      v128.store(row, lo);
      v128.store(row, hi, 16);
      continue;
    }
    const q = e + 128;
    v128.store(q, lo);
    v128.store(q, hi, 16);
    for (let l = 0; l < lanes; l++) {
      const n = min(2, cols0 - l * colStep), out = row + laneStride * <usize>l, from = q + (<usize>l << 3);
      if (n <= 0) break;
      store<f32>(out, load<f32>(from));
      if (n == 2) store<f32>(out, load<f32>(from, 4), 4);
    }
  }
}

/** Row r of A^T f for the column f0..f3 at q, q + 32, ...: f0 + f1 + f2, or f1 - f2 - f3. */
// @ts-ignore: decorator
@inline function outputColumn(q: usize, r: i32): v128 {
  const f0 = v128.load(q), f1 = v128.load(q, 32), f2 = v128.load(q, 64), f3 = v128.load(q, 96);
  return r == 0 ? f32x4.add(f32x4.add(f0, f1), f2) : f32x4.sub(f32x4.sub(f1, f2), f3);
}

// @ts-ignore: decorator
@inline function gradientRow(dst: usize, kStride: usize, k: i32, p: v128, q: v128): void {
  v128.store(dst + kStride * <usize>k, p);
  v128.store(dst + kStride * <usize>(k + 1), f32x4.add(p, q));
  v128.store(dst + kStride * <usize>(k + 2), f32x4.sub(p, q));
  v128.store(dst + kStride * <usize>(k + 3), f32x4.neg(q));
}

/**
 * A dY A^T of four tiles' 2x2 gradients from q (rows Wp floats apart) to dst. A = [1 0; 1 1;
 * 1 -1; 0 -1]: a tile [a b; c d] becomes rows [a, b], [a+c, b+d], [a-c, b-d], [-c, -d], each
 * row [p, q] then [p, p+q, p-q, -q].
 */
export function gradientGroup2(q: usize, Wp: i32, dst: usize, kStride: usize): void {
  const u0 = v128.load(q), u1 = v128.load(q, 16);
  const w0 = v128.load(q + f32s(Wp)), w1 = v128.load(q + f32s(Wp), 16);
  const a = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
  const c = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6), d = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
  gradientRow(dst, kStride, 0, a, b);
  gradientRow(dst, kStride, 4, f32x4.add(a, c), f32x4.add(b, d));
  gradientRow(dst, kStride, 8, f32x4.sub(a, c), f32x4.sub(b, d));
  gradientRow(dst, kStride, 12, f32x4.neg(c), f32x4.neg(d));
}

/** The 3x3 gradient G^T S G of the 4x4 matrix S (s[k * plane]) to out; e: 12 floats of scratch. */
export function weightGradient2(s: usize, plane: usize, out: usize, e: usize): void {
  // t = G^T S (3 rows of 4): [s0 + (s1 + s2)/2, (s1 - s2)/2, (s1 + s2)/2 + s3] (s_i rows),
  // then each row [a, b, c, d] times G: [a + (b + c)/2, (b - c)/2, (b + c)/2 + d].
  for (let j = 0; j < 4; j++) {
    const s0 = load<f32>(s + plane * <usize>j), s1 = load<f32>(s + plane * <usize>(4 + j));
    const s2 = load<f32>(s + plane * <usize>(8 + j)), s3 = load<f32>(s + plane * <usize>(12 + j));
    const h: f32 = 0.5 * (s1 + s2);
    store<f32>(e + f32s(j), s0 + h);
    store<f32>(e + f32s(4 + j), 0.5 * (s1 - s2));
    store<f32>(e + f32s(8 + j), h + s3);
  }
  for (let i = 0; i < 3; i++) {
    const a = load<f32>(e + f32s(4 * i)), b = load<f32>(e + f32s(4 * i + 1));
    const c = load<f32>(e + f32s(4 * i + 2)), d = load<f32>(e + f32s(4 * i + 3));
    const h: f32 = 0.5 * (b + c);
    store<f32>(out + f32s(3 * i), a + h);
    store<f32>(out + f32s(3 * i + 1), 0.5 * (b - c));
    store<f32>(out + f32s(3 * i + 2), h + d);
  }
}
