// 2-D pooling over NC planes in raw float32 memory, the same windows as
// src/kernels/ref/pool.ts, walked plane by plane (the reference walks output positions).
//   x is (NC, H, W), y is (NC, OH, OW); the geometry's N field holds NC (see ../../pool/pool.ts).
// Windows are clipped as PyTorch does: at H + PH for the divisor, at H for the sum.
// NOTE: averages sum and divide in f64 like the reference (JavaScript numbers), so both
// backends give bit-identical results (adaptive pooling is tested equal to avgPool2d).

import { Geometry } from "../common/geometry";
import { at } from "../common/mem";

// The current window, set by window(): rows [hs, he), columns [ws, we), and the divisor.
let hs = 0, he = 0, ws = 0, we = 0;
let divisor: f64 = 1;

// @ts-ignore: decorator
@inline function window(g: Geometry, oh: i32, ow: i32, includePad: bool): void {
  const h0 = oh * g.SH - g.PH;
  const w0 = ow * g.SW - g.PW;
  const h1 = min(h0 + g.KH, g.H + g.PH);
  const w1 = min(w0 + g.KW, g.W + g.PW);
  hs = max(h0, 0);
  he = min(h1, g.H);
  ws = max(w0, 0);
  we = min(w1, g.W);
  divisor = <f64>(includePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws));
}

export function avgPool2dForward(geo: usize, x: usize, y: usize, includePad: bool): void {
  const g = changetype<Geometry>(geo);
  if (whole2x2(g)) return avg2x2Forward(g, x, y);
  for (let p = 0; p < g.N; p++) {
    const plane = at(x, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, includePad);
        let s: f64 = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) s += <f64>load<f32>(at(plane, h * g.W + w));
        store<f32>(at(y, (p * g.OH + oh) * g.OW + ow), <f32>(s / divisor));
      }
  }
}

/** dx = the adjoint of the average (overwritten). */
export function avgPool2dBackward(geo: usize, dy: usize, dx: usize, includePad: bool): void {
  const g = changetype<Geometry>(geo);
  memory.fill(dx, 0, <usize>(g.N * g.H * g.W) << 2);
  if (whole2x2(g)) return avg2x2Backward(g, dy, dx);
  for (let p = 0; p < g.N; p++) {
    const plane = at(dx, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, includePad);
        const v = <f64>load<f32>(at(dy, (p * g.OH + oh) * g.OW + ow)) / divisor;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const d = at(plane, h * g.W + w);
            store<f32>(d, <f32>(<f64>load<f32>(d) + v));
          }
      }
  }
}

/**
 * y = window maxima (NaN wins), argmax = their index within the plane (i32). scratch: 0, or
 * maxPoolScratch(geo) floats for the stride-1 and stride-2 kernel (maxStridedForward).
 */
export function maxPool2dForward(geo: usize, x: usize, y: usize, argmax: usize, scratch: usize): void {
  const g = changetype<Geometry>(geo);
  if (whole2x2(g)) return max2x2Forward(g, x, y, argmax);
  if (scratch != 0 && strided(g)) return maxStridedForward(g, x, y, argmax, scratch);
  for (let p = 0; p < g.N; p++) {
    const plane = at(x, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, true);
        let best: f32 = -Infinity;
        let bestAt = hs * g.W + ws;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const v = load<f32>(at(plane, h * g.W + w));
            if (v > best || v != v) {
              best = v;
              bestAt = h * g.W + w;
            }
          }
        const o = (p * g.OH + oh) * g.OW + ow;
        store<f32>(at(y, o), best);
        store<i32>(at(argmax, o), bestAt);
      }
  }
}

/** dx = 0, then dx[plane, argmax] += dy. */
export function maxPool2dBackward(geo: usize, dy: usize, argmax: usize, dx: usize): void {
  const g = changetype<Geometry>(geo);
  memory.fill(dx, 0, <usize>(g.N * g.H * g.W) << 2);
  const plane = g.H * g.W;
  const outPlane = g.OH * g.OW;
  for (let p = 0; p < g.N; p++)
    for (let o = 0; o < outPlane; o++) {
      const i = p * outPlane + o;
      const d = at(dx, p * plane + load<i32>(at(argmax, i)));
      store<f32>(d, load<f32>(d) + load<f32>(at(dy, i)));
    }
}

// The common case, LeNet's: 2x2 windows, stride 2, no padding, every window inside the input.
// Same arithmetic as the general loops above, two or four outputs at a time: the forward sums
// ((x00 + x01) + x10) + x11 in f64 and divides by 4 (times 0.25, exact), the backward gives each
// input its one window's dy / 4, which in f32 is dy * 0.25 exactly.

// @ts-ignore: decorator
@inline function whole2x2(g: Geometry): bool {
  return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PH == 0 && g.PW == 0 && 2 * g.OH <= g.H && 2 * g.OW <= g.W;
}

function avg2x2Forward(g: Geometry, x: usize, y: usize): void {
  const quarter = f64x2.splat(0.25);
  for (let p = 0; p < g.N; p++)
    for (let oh = 0; oh < g.OH; oh++) {
      const r0 = at(x, (p * g.H + 2 * oh) * g.W), r1 = r0 + (<usize>g.W << 2);
      const out = at(y, (p * g.OH + oh) * g.OW);
      let ow = 0;
      for (; ow + 2 <= g.OW; ow += 2) {
        const v0 = v128.load(r0 + (<usize>ow << 3)), v1 = v128.load(r1 + (<usize>ow << 3));
        const a = f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 0, 2, 0, 2));
        const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 1, 3, 1, 3));
        const c = f64x2.promote_low_f32x4(v128.shuffle<f32>(v1, v1, 0, 2, 0, 2));
        const d = f64x2.promote_low_f32x4(v128.shuffle<f32>(v1, v1, 1, 3, 1, 3));
        const mean = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(a, b), c), d), quarter);
        v128.store64_lane(at(out, ow), f32x4.demote_f64x2_zero(mean), 0);
      }
      for (; ow < g.OW; ow++) {
        const i = <usize>ow << 3;
        const s = <f64>load<f32>(r0 + i) + <f64>load<f32>(r0 + i + 4) + <f64>load<f32>(r1 + i) + <f64>load<f32>(r1 + i + 4);
        store<f32>(at(out, ow), <f32>(s * 0.25));
      }
    }
}

function avg2x2Backward(g: Geometry, dy: usize, dx: usize): void {
  const quarter = f32x4.splat(0.25);
  for (let p = 0; p < g.N; p++)
    for (let oh = 0; oh < g.OH; oh++) {
      const r0 = at(dx, (p * g.H + 2 * oh) * g.W), r1 = r0 + (<usize>g.W << 2);
      const row = at(dy, (p * g.OH + oh) * g.OW);
      let ow = 0;
      for (; ow + 4 <= g.OW; ow += 4) {
        const q = f32x4.mul(v128.load(at(row, ow)), quarter);
        const lo = v128.shuffle<f32>(q, q, 0, 0, 1, 1), hi = v128.shuffle<f32>(q, q, 2, 2, 3, 3);
        const o = <usize>ow << 3;
        v128.store(r0 + o, lo);
        v128.store(r0 + o + 16, hi);
        v128.store(r1 + o, lo);
        v128.store(r1 + o + 16, hi);
      }
      for (; ow < g.OW; ow++) {
        const v = load<f32>(at(row, ow)) * 0.25;
        const o = <usize>ow << 3;
        store<f32>(r0 + o, v);
        store<f32>(r0 + o + 4, v);
        store<f32>(r1 + o, v);
        store<f32>(r1 + o + 4, v);
      }
    }
}

/** Lanes where candidate c replaces the best so far: greater, or NaN. */
// @ts-ignore: decorator
@inline function wins(c: v128, best: v128): v128 {
  return v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
}

/** Max pooling over whole 2x2 windows, four outputs at a time, with the general loop's rule:
 *  candidates in the order x00, x01, x10, x11; a later one wins when greater or NaN. */
function max2x2Forward(g: Geometry, x: usize, y: usize, argmax: usize): void {
  const W = g.W;
  const lanes = i32x4(0, 2, 4, 6);
  for (let p = 0; p < g.N; p++)
    for (let oh = 0; oh < g.OH; oh++) {
      const r0 = at(x, (p * g.H + 2 * oh) * W), r1 = r0 + (<usize>W << 2);
      const o = (p * g.OH + oh) * g.OW;
      let ow = 0;
      for (; ow + 4 <= g.OW; ow += 4) {
        const a0 = v128.load(r0 + (<usize>ow << 3)), a1 = v128.load(r0 + (<usize>ow << 3), 16);
        const b0 = v128.load(r1 + (<usize>ow << 3)), b1 = v128.load(r1 + (<usize>ow << 3), 16);
        const pos = i32x4.add(i32x4.splat(2 * oh * W + 2 * ow), lanes);
        let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        let idx = pos;
        let c = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        let m = wins(c, best);
        best = v128.bitselect(c, best, m);
        idx = v128.bitselect(i32x4.add(pos, i32x4.splat(1)), idx, m);
        c = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        m = wins(c, best);
        best = v128.bitselect(c, best, m);
        idx = v128.bitselect(i32x4.add(pos, i32x4.splat(W)), idx, m);
        c = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        m = wins(c, best);
        best = v128.bitselect(c, best, m);
        idx = v128.bitselect(i32x4.add(pos, i32x4.splat(W + 1)), idx, m);
        v128.store(at(y, o + ow), best);
        v128.store(at(argmax, o + ow), idx);
      }
      for (; ow < g.OW; ow++) {
        const base = 2 * oh * W + 2 * ow;
        let best = load<f32>(at(x, p * g.H * W + base)), bestAt = base;
        for (let k = 1; k < 4; k++) {
          const q = base + (k >> 1) * W + (k & 1);
          const v = load<f32>(at(x, p * g.H * W + q));
          if (v > best || v != v) {
            best = v;
            bestAt = q;
          }
        }
        store<f32>(at(y, o + ow), best);
        store<i32>(at(argmax, o + ow), bestAt);
      }
    }
}

// Stride 1 or 2 with any window and padding (d2l's ResNet and GoogLeNet: 3x3, stride 2, padding 1;
// GoogLeNet's Inception blocks: 3x3, stride 1, padding 1), four outputs of a row at a time: each plane is staged into a buffer padded with -Infinity (rows and columns
// past the input included), which never wins, so every window reads whole rows; the taps go in
// the general loop's order and a later one wins when greater or NaN, each lane starting from the
// first real position of its window, as the general loop does.

// @ts-ignore: decorator
@inline function strided(g: Geometry): bool {
  return g.SH == g.SW && (g.SH == 1 || g.SH == 2) && g.KH <= 8 && g.KW <= 8;
}

/** The padded plane's row length: four outputs' windows from any output group, plus a vector's slack. */
// @ts-ignore: decorator
@inline function paddedWidth(g: Geometry): i32 {
  return 4 * g.SW * ((g.OW + 3) >> 2) + g.KW + 8;
}

/** Floats of scratch for maxPool2dForward's stride-1 and stride-2 kernel (one thread's). */
export function maxPoolScratch(geo: usize): i32 {
  const g = changetype<Geometry>(geo);
  return strided(g) ? (g.SH * g.OH + g.KH) * paddedWidth(g) : 0;
}

function maxStridedForward(g: Geometry, x: usize, y: usize, argmax: usize, buf: usize): void {
  const Wp = paddedWidth(g), S = g.SH, Hp = S * g.OH + g.KH, W = g.W;
  const ninf = f32x4.splat(-Infinity);
  for (let i = 0; i < Hp * Wp; i += 4) v128.store(at(buf, i), ninf);
  const lanes = S == 2 ? i32x4(0, 2, 4, 6) : i32x4(0, 1, 2, 3);
  for (let p = 0; p < g.N; p++) {
    // the plane at row PH, column PW of the buffer (the rest stays -Infinity)
    const plane = at(x, p * g.H * W);
    for (let h = 0; h < g.H; h++) {
      const src = at(plane, h * W), dst = at(buf, (h + g.PH) * Wp + g.PW);
      let i = 0;
      for (; i + 4 <= W; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
      for (; i < W; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
    }
    for (let oh = 0; oh < g.OH; oh++) {
      const h0 = S * oh - g.PH, hs = max(h0, 0);
      const o = (p * g.OH + oh) * g.OW;
      for (let ow = 0; ow < g.OW; ow += 4) {
        // first real position of each lane's window: column max(S(ow + l) - PW, 0)
        const w0 = i32x4.add(i32x4.splat(S * ow - g.PW), lanes);
        let idx = i32x4.add(i32x4.splat(hs * W), i32x4.max_s(w0, i32x4.splat(0)));
        let best = ninf;
        for (let kh = 0; kh < g.KH; kh++) {
          const row = at(buf, (S * oh + kh) * Wp + S * ow);
          const base = i32x4.add(i32x4.splat((h0 + kh) * W), w0);
          for (let kw = 0; kw < g.KW; kw++) {
            const a = v128.load(at(row, kw));
            const c = S == 2 ? v128.shuffle<f32>(a, v128.load(at(row, kw + 4)), 0, 2, 4, 6) : a;
            const m = wins(c, best);
            best = v128.bitselect(c, best, m);
            idx = v128.bitselect(i32x4.add(base, i32x4.splat(kw)), idx, m);
          }
        }
        const n = min(4, g.OW - ow);
        if (n == 4) {
          v128.store(at(y, o + ow), best);
          v128.store(at(argmax, o + ow), idx);
        } else {
          for (let l = 0; l < n; l++) {
            store<f32>(at(y, o + ow + l), f32x4.extract_lane(best, 0));
            best = v128.shuffle<f32>(best, best, 1, 2, 3, 0);
            store<i32>(at(argmax, o + ow + l), i32x4.extract_lane(idx, 0));
            idx = v128.shuffle<i32>(idx, idx, 1, 2, 3, 0);
          }
        }
      }
    }
  }
}
