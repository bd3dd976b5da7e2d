// Elementwise kernels that pay in WebAssembly: tanh (Math.tanh costs ~50 ns per call in V8, and
// LeNet-5 applies it to ~800,000 values per batch of 100).
// NOTE: tanh is Eigen's float rational approximation (odd degree-13 over even degree-6 on
// x clamped to +-7.905, where tanh rounds to +-1 in float32): within 4 ulp of the exact value,
// NaN propagates through the clamp. n is rounded up to a multiple of 4: the caller's
// buffers must have room for that (the loader's arena aligns every region to 16 bytes).

const A1: f32 = 4.89352455891786e-3;
const A3: f32 = 6.37261928875436e-4;
const A5: f32 = 1.48572235717979e-5;
const A7: f32 = 5.12229709037114e-8;
const A9: f32 = -8.60467152213735e-11;
const A11: f32 = 2.00018790482477e-13;
const A13: f32 = -2.76076847742355e-16;
const B0: f32 = 4.89352518554385e-3;
const B2: f32 = 2.268434632439e-3;
const B4: f32 = 1.18534705686654e-4;
const B6: f32 = 1.19825839466702e-6;
const CLAMP: f32 = 7.90531110763549805;

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  // NOTE: pmin/pmax (one instruction each) rather than min/max (a long NaN- and zero-sign-exact
  // sequence on x64: the loop ran 2.6x slower); with x first, pmin(x, c) = c < x ? c : x keeps NaN.
  const v = f32x4.pmax(f32x4.pmin(x, f32x4.splat(CLAMP)), f32x4.splat(-CLAMP));
  const v2 = f32x4.mul(v, v);
  let p = madd(f32x4.splat(A13), v2, A11);
  p = madd(p, v2, A9);
  p = madd(p, v2, A7);
  p = madd(p, v2, A5);
  p = madd(p, v2, A3);
  p = madd(p, v2, A1);
  p = f32x4.mul(p, v);
  let q = madd(f32x4.splat(B6), v2, B4);
  q = madd(q, v2, B2);
  q = madd(q, v2, B0);
  return f32x4.div(p, q);
}

/** y[i] = tanh(x[i]) for i < n. */
export function tanhForward(x: usize, y: usize, n: i32): void {
  // NOTE: four vectors per pass: each vector's polynomial is a chain of dependent multiply-adds,
  // and independent chains side by side keep the pipes busy (0.81 -> 0.60 ms for 470,400 values).
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const a = tanh4(v128.load(x)), b = tanh4(v128.load(x, 16)), c = tanh4(v128.load(x, 32)), d = tanh4(v128.load(x, 48));
    v128.store(y, a);
    v128.store(y, b, 16);
    v128.store(y, c, 32);
    v128.store(y, d, 48);
    x += 64;
    y += 64;
  }
  for (; i < n; i += 4) {
    v128.store(y, tanh4(v128.load(x)));
    x += 16;
    y += 16;
  }
}

/** dx[i] = dy[i] * (1 - y[i]^2) for i < n, in float32 like the reference (bit-identical). */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const yv = v128.load(y);
    v128.store(dx, f32x4.mul(v128.load(dy), f32x4.sub(one, f32x4.mul(yv, yv))));
    y += 16;
    dy += 16;
    dx += 16;
  }
}

// e^x for x <= 0 (Cephes' expf: x = n ln2 + r, |r| <= ln2 / 2, e^r by a degree-7 polynomial, 2^n
// from the exponent bits), within 2 float32 ulp; below -87.3365 (where e^x leaves the normal
// floats, 1.18e-38) it gives 0.
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const EXP_MIN: f32 = -87.3365;

// @ts-ignore: decorator
@inline function expNonPositive4(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(EXP_MIN));
  const v = f32x4.pmax(x, f32x4.splat(EXP_MIN));
  const n = f32x4.nearest(f32x4.mul(v, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(v, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = madd(f32x4.splat(P0), r, P1);
  p = madd(p, r, P2);
  p = madd(p, r, P3);
  p = madd(p, r, P4);
  p = madd(p, r, P5);
  const e = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(e, scale), tiny);
}

/**
 * 1 / (1 + e^-x) in each lane, in the reference's two-sided form (e = e^-|x|: 1 / (1 + e) for
 * x >= 0, e / (1 + e) below), so that e never overflows; NaN propagates.
 */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = expNonPositive4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1), e);
  const neg = f32x4.lt(x, f32x4.splat(0));
  return f32x4.div(v128.bitselect(e, f32x4.splat(1), neg), d);
}

/** y[i] = sigmoid(x[i]) for i < n (n rounded up to 4, as tanhForward). */
export function sigmoidForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = sigmoid4(v128.load(x)), b = sigmoid4(v128.load(x, 16));
    v128.store(y, a);
    v128.store(y, b, 16);
    x += 32;
    y += 32;
  }
  for (; i < n; i += 4) {
    v128.store(y, sigmoid4(v128.load(x)));
    x += 16;
    y += 16;
  }
}

/** dx[i] = dy[i] * (1 - y[i]) * y[i] for i < n, in float32 like the reference (bit-identical). */
export function sigmoidBackward(y: usize, dy: usize, dx: usize, n: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const yv = v128.load(y);
    v128.store(dx, f32x4.mul(f32x4.mul(v128.load(dy), f32x4.sub(one, yv)), yv));
    y += 16;
    dy += 16;
    dx += 16;
  }
}

/** x > 0 ? x : 0 in each lane (NaN and -0 give +0, as the reference). */
// @ts-ignore: decorator
@inline export function relu4(v: v128): v128 {
  return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
}

/** Activation codes of the kernels that apply one to their results (see ../../elementwise/activation.ts). */
export const ACT_NONE = 0;
export const ACT_TANH = 1;
export const ACT_RELU = 2;
export const ACT_SIGMOID = 3;

/** The activation `act` (ACT_*) of each lane of v. */
// @ts-ignore: decorator
@inline export function activate4(act: i32, v: v128): v128 {
  return act == ACT_TANH ? tanh4(v) : act == ACT_RELU ? relu4(v) : act == ACT_SIGMOID ? sigmoid4(v) : v;
}

/** y[i] = x[i] > 0 ? x[i] : 0 for i < n (NaN and -0 give +0, as the reference). */
export function reluForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    v128.store(y, relu4(v128.load(x)));
    x += 16;
    y += 16;
  }
}

/** dx[i] = x[i] > 0 ? dy[i] : 0 for i < n. */
export function reluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    v128.store(dx, v128.and(v128.load(dy), f32x4.gt(v128.load(x), zero)));
    x += 16;
    dy += 16;
    dx += 16;
  }
}

/**
 * y[i] = act(a[i] + b[i]) for i < n; y may be a or b (accumulation: a += b).
 * NOTE: exactly n values, no rounding up: y may be a gradient that a user's array views.
 */
export function addForward(a: usize, b: usize, y: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, activate4(act, f32x4.add(v128.load(a + o), v128.load(b + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(a + o) + load<f32>(b + o));
    store<f32>(y + o, f32x4.extract_lane(activate4(act, v), 0));
  }
}
