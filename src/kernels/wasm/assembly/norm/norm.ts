// Batch-norm kernels (../../norm/norm.ts wraps them; src/kernels/ref/norm.ts is the spec).
//   x, y, dy, dx are (N, C, S): plane q = n*C + c holds S floats of channel c = q % C at q*S.
//   Each call covers planes [q0, q1): threads take consecutive blocks of planes, so every thread
//   reads one stream of memory.
//   Sums are per plane (f64, in `sums`); the wrapper adds the planes of a channel in order of n,
//   so the results are the same bits for any thread count.
//   Per-channel arrays (C each): f64 where the op keeps float64 (means), f32 where the values
//   are coefficients of a float32 formula.
// NOTE: why planes, not channels, per thread: a channel's N planes lie C*S floats apart, and
// reading them channel by channel ran 1.7x slower than one stream (the hardware prefetcher
// restarts at each plane): statistics at (128, 64, 24, 24), two passes, cache flushed before each
// run, 1.95 ms in memory order against 3.3-3.5 ms by channel (blocks of 1-3 channels) and 2.4 ms
// with 14 (the kernel compiled on its own, AMD EPYC, one thread).
// NOTE: sums in f64 lanes (f64x2, two pairs per vector of x): they agree with the float64
// reference to ~1e-15. f32x4 partial sums per plane were faster (the two statistics passes at
// (128, 64, 24, 24): 1.3-1.5 against 2.0-2.2 ms, cache flushed) but ~1e-8 off, for a saving of
// under 0.1% of a ResNet-18 training step (where all batch-norm kernels are ~1%).

import { activate4 } from "../elementwise/elementwise";
import { at } from "../common/mem";

/** The low and high pairs of v's four floats, as f64x2. */
// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}
// @ts-ignore: decorator
@inline function total(a: v128, b: v128, c: v128, d: v128): f64 {
  const v = f64x2.add(f64x2.add(a, b), f64x2.add(c, d));
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// NOTE: 8 floats a step into four f64x2 sums: an f64x2 add waits ~4 cycles for the one before it.

/** sums[q] = the sum of plane q's S floats (f64), for q in [q0, q1). */
export function batchNormPlaneSums(x: usize, sums: usize, S: i32, q0: i32, q1: i32): void {
  for (let q = q0; q < q1; q++) {
    const p = x + ((<usize>q * <usize>S) << 2);
    let a = f64x2.splat(0), b = a, c = a, d = a, t: f64 = 0;
    let i = 0;
    for (; i + 8 <= S; i += 8) {
      const u = v128.load(at(p, i)), v = v128.load(at(p, i), 16);
      a = f64x2.add(a, lo(u));
      b = f64x2.add(b, hi(u));
      c = f64x2.add(c, lo(v));
      d = f64x2.add(d, hi(v));
    }
    for (; i < S; i++) t += <f64>load<f32>(at(p, i));
    store<f64>(sums + (<usize>q << 3), total(a, b, c, d) + t);
  }
}

/** sums[q] = the sum over plane q of (x - mean[q % C])^2 (f64, mean f64), for q in [q0, q1). */
export function batchNormPlaneSquares(x: usize, mean: usize, sums: usize, C: i32, S: i32, q0: i32, q1: i32): void {
  for (let q = q0; q < q1; q++) {
    const p = x + ((<usize>q * <usize>S) << 2);
    const m = load<f64>(mean + (<usize>(q % C) << 3));
    const mv = f64x2.splat(m);
    let a = f64x2.splat(0), b = a, c = a, d = a, t: f64 = 0;
    let i = 0;
    for (; i + 8 <= S; i += 8) {
      const u = v128.load(at(p, i)), v = v128.load(at(p, i), 16);
      const d0 = f64x2.sub(lo(u), mv), d1 = f64x2.sub(hi(u), mv), d2 = f64x2.sub(lo(v), mv), d3 = f64x2.sub(hi(v), mv);
      a = f64x2.add(a, f64x2.mul(d0, d0));
      b = f64x2.add(b, f64x2.mul(d1, d1));
      c = f64x2.add(c, f64x2.mul(d2, d2));
      d = f64x2.add(d, f64x2.mul(d3, d3));
    }
    for (; i < S; i++) {
      const e = <f64>load<f32>(at(p, i)) - m;
      t += e * e;
    }
    store<f64>(sums + (<usize>q << 3), total(a, b, c, d) + t);
  }
}

/**
 * sums[2q] = sum(dy), sums[2q+1] = sum(dy * (x - mean[c])) over plane q (f64, mean f64), for q
 * in [q0, q1).
 */
export function batchNormPlaneDySums(x: usize, dy: usize, mean: usize, sums: usize, C: i32, S: i32, q0: i32, q1: i32): void {
  for (let q = q0; q < q1; q++) {
    const off = (<usize>q * <usize>S) << 2;
    const px = x + off, pd = dy + off;
    const m = load<f64>(mean + (<usize>(q % C) << 3));
    const mv = f64x2.splat(m);
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let ta: f64 = 0, tb: f64 = 0;
    let i = 0;
    for (; i + 8 <= S; i += 8) {
      const g = v128.load(at(pd, i)), h = v128.load(at(pd, i), 16);
      const u = v128.load(at(px, i)), v = v128.load(at(px, i), 16);
      const g0 = lo(g), g1 = hi(g), g2 = lo(h), g3 = hi(h);
      a0 = f64x2.add(a0, g0);
      a1 = f64x2.add(a1, g1);
      a2 = f64x2.add(a2, g2);
      a3 = f64x2.add(a3, g3);
      b0 = f64x2.add(b0, f64x2.mul(g0, f64x2.sub(lo(u), mv)));
      b1 = f64x2.add(b1, f64x2.mul(g1, f64x2.sub(hi(u), mv)));
      b2 = f64x2.add(b2, f64x2.mul(g2, f64x2.sub(lo(v), mv)));
      b3 = f64x2.add(b3, f64x2.mul(g3, f64x2.sub(hi(v), mv)));
    }
    for (; i < S; i++) {
      const g = <f64>load<f32>(at(pd, i));
      ta += g;
      tb += g * (<f64>load<f32>(at(px, i)) - m);
    }
    store<f64>(sums + (<usize>q << 4), total(a0, a1, a2, a3) + ta);
    store<f64>(sums + (<usize>q << 4), total(b0, b1, b2, b3) + tb, 8);
  }
}

/**
 * y = act((x - mean[c]) * scale[c] + shift[c]) in float32 (f32 coefficients) over planes
 * [q0, q1); y may be x; act: ACT_* (../elementwise/elementwise.ts).
 */
export function batchNormForward(x: usize, mean: usize, scale: usize, shift: usize, y: usize, C: i32, S: i32, q0: i32, q1: i32, act: i32): void {
  for (let q = q0; q < q1; q++) {
    const off = (<usize>q * <usize>S) << 2;
    const px = x + off, py = y + off;
    const c = <usize>(q % C) << 2;
    const m = load<f32>(mean + c), k = load<f32>(scale + c), b = load<f32>(shift + c);
    const mv = f32x4.splat(m), kv = f32x4.splat(k), bv = f32x4.splat(b);
    let i = 0;
    for (; i + 4 <= S; i += 4) {
      const v = f32x4.add(f32x4.mul(f32x4.sub(v128.load(at(px, i)), mv), kv), bv);
      v128.store(at(py, i), activate4(act, v));
    }
    // The tail through one lane of a vector: the same formula and activation.
    for (; i < S; i++) {
      const v = f32x4.splat((load<f32>(at(px, i)) - m) * k + b);
      store<f32>(at(py, i), f32x4.extract_lane(activate4(act, v), 0));
    }
  }
}

/** dx = a[c]*dy + b[c]*(x - mean[c]) + k[c] in float32 (f32 coefficients) over planes [q0, q1). */
export function batchNormBackwardInput(x: usize, dy: usize, mean: usize, a: usize, b: usize, k: usize, dx: usize, C: i32, S: i32, q0: i32, q1: i32): void {
  for (let q = q0; q < q1; q++) {
    const off = (<usize>q * <usize>S) << 2;
    const px = x + off, pd = dy + off, po = dx + off;
    const c = <usize>(q % C) << 2;
    const m = load<f32>(mean + c), ac = load<f32>(a + c), bc = load<f32>(b + c), kc = load<f32>(k + c);
    const mv = f32x4.splat(m), av = f32x4.splat(ac), bv = f32x4.splat(bc), kv = f32x4.splat(kc);
    let i = 0;
    for (; i + 4 <= S; i += 4) {
      const t = f32x4.add(f32x4.mul(av, v128.load(at(pd, i))), f32x4.mul(bv, f32x4.sub(v128.load(at(px, i)), mv)));
      v128.store(at(po, i), f32x4.add(t, kv));
    }
    for (; i < S; i++) store<f32>(at(po, i), ac * load<f32>(at(pd, i)) + bc * (load<f32>(at(px, i)) - m) + kc);
  }
}
