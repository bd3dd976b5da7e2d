// Direct convolution for layers with few input channels and few output channels (LeNet's C1:
// 1 -> 6 channels, 5x5, on 28x28): stride 1, no dilation, one group. Same contract as
// conv2dForward / conv2dBackwardWeight in ./conv2d.ts.
// NOTE: why not im2col + GEMM here: C1's im2col matrix is 25 x 784 per image, written, then read
// and packed again by the GEMM, for only 6 output rows (a 4x8 micro-kernel plus a 2-row rest):
// memory traffic, not arithmetic, set the time. Here each image is copied once into a
// zero-padded buffer and every output vector is summed in registers over all the taps.
//   x (N, C, H, W), w (OC, C, KH, KW), y and dy (N, OC, OH, OW); `pad` is scratch for one padded
//   image, C x (H + 2 PH) x (W + 2 PW) floats and 4 more (a tail vector may read past the end).

import { Geometry } from "./geometry";
import { copyF32, fillF32 } from "./mem";

// @ts-ignore: decorator
@inline function f32s(n: i32): usize {
  return <usize>n << 2;
}

/** Image `img` (C, H, W) into `pad` with its zero border. */
function padImage(g: Geometry, img: usize, pad: usize): void {
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW;
  fillF32(pad, g.C * Hp * Wp + 4, 0);
  for (let c = 0; c < g.C; c++)
    for (let h = 0; h < g.H; h++) copyF32(pad + f32s((c * Hp + h + g.PH) * Wp + g.PW), img + f32s((c * g.H + h) * g.W), g.W);
}

/**
 * NB output channels (1, 2 or 4: a constant once inlined, so the unused accumulators vanish) at
 * columns [ow, ow + 4 * NV) of row oh, NV = 1 or 2 vectors; the first `keep` columns are stored
 * (fewer than 4 only for the row's overhanging last vector). Taps run in (c, kh, kw) order.
 */
// @ts-ignore: decorator
@inline function outputBlock(NB: i32, NV: i32, g: Geometry, pad: usize, taps: usize, w: usize, packed: usize, bias: usize, y: usize, oc: i32, oh: i32, ow: i32, keep: i32): void {
  const Wp = g.W + 2 * g.PW, KK = g.C * g.KH * g.KW, P = g.OH * g.OW;
  let a0 = f32x4.splat(bias ? load<f32>(bias + f32s(oc)) : 0), a1 = a0;
  let b0 = f32x4.splat(NB > 1 && bias ? load<f32>(bias + f32s(oc + 1)) : 0), b1 = b0;
  let c0 = f32x4.splat(NB > 2 && bias ? load<f32>(bias + f32s(oc + 2)) : 0), c1 = c0;
  let d0 = f32x4.splat(NB > 3 && bias ? load<f32>(bias + f32s(oc + 3)) : 0), d1 = d0;
  const origin = pad + f32s(oh * Wp + ow);
  const wt = w + f32s(oc * KK);
  const wq = packed + (<usize>((oc >> 2) * KK) << 4);
  for (let t = 0; t < KK; t++) {
    const row = origin + <usize>load<i32>(taps + (<usize>t << 2));
    const x0 = v128.load(row);
    const x1 = NV > 1 ? v128.load(row, 16) : x0;
    // four channels' weights of tap t in one load (packed), spread by shuffles, which run on
    // another port than the loads this loop is short of
    const wv = NB > 2 ? v128.load(wq + (<usize>t << 4)) : f32x4.splat(0);
    const wa = NB > 2 ? v128.shuffle<f32>(wv, wv, 0, 0, 0, 0) : v128.load32_splat(wt + f32s(t));
    a0 = f32x4.add(a0, f32x4.mul(x0, wa));
    if (NV > 1) a1 = f32x4.add(a1, f32x4.mul(x1, wa));
    if (NB > 1) {
      const wb = NB > 2 ? v128.shuffle<f32>(wv, wv, 1, 1, 1, 1) : v128.load32_splat(wt + f32s(KK + t));
      b0 = f32x4.add(b0, f32x4.mul(x0, wb));
      if (NV > 1) b1 = f32x4.add(b1, f32x4.mul(x1, wb));
    }
    if (NB > 2) {
      const wc = v128.shuffle<f32>(wv, wv, 2, 2, 2, 2);
      const wd = v128.shuffle<f32>(wv, wv, 3, 3, 3, 3);
      c0 = f32x4.add(c0, f32x4.mul(x0, wc));
      d0 = f32x4.add(d0, f32x4.mul(x0, wd));
      if (NV > 1) {
        c1 = f32x4.add(c1, f32x4.mul(x1, wc));
        d1 = f32x4.add(d1, f32x4.mul(x1, wd));
      }
    }
  }
  const out = y + f32s((oc * g.OH + oh) * g.OW + ow);
  storeVector(out, a0, keep);
  if (NV > 1) v128.store(out, a1, 16);
  if (NB > 1) {
    storeVector(out + f32s(P), b0, keep);
    if (NV > 1) v128.store(out + f32s(P), b1, 16);
  }
  if (NB > 2) {
    storeVector(out + f32s(2 * P), c0, keep);
    storeVector(out + f32s(3 * P), d0, keep);
    if (NV > 1) {
      v128.store(out + f32s(2 * P), c1, 16);
      v128.store(out + f32s(3 * P), d1, 16);
    }
  }
}

/** The first `keep` lanes of v at p (all four when keep >= 4). */
// @ts-ignore: decorator
@inline function storeVector(p: usize, v: v128, keep: i32): void {
  if (keep >= 4) v128.store(p, v);
  else {
    store<f32>(p, f32x4.extract_lane(v, 0));
    if (keep > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (keep > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

/** Output channels [oc, oc + NB) of one padded image. */
// @ts-ignore: decorator
@inline function outputChannels(NB: i32, g: Geometry, pad: usize, taps: usize, w: usize, packed: usize, bias: usize, y: usize, oc: i32): void {
  for (let oh = 0; oh < g.OH; oh++) {
    let ow = 0;
    for (; ow + 8 <= g.OW; ow += 8) outputBlock(NB, 2, g, pad, taps, w, packed, bias, y, oc, oh, ow, 4);
    for (; ow < g.OW; ow += 4) outputBlock(NB, 1, g, pad, taps, w, packed, bias, y, oc, oh, ow, g.OW - ow);
  }
}

/** y = conv(x, w) + bias (bias 0: none) for the geometry's N images. */
export function conv2dDirectForward(geo: usize, x: usize, w: usize, bias: usize, y: usize, pad: usize): void {
  const g = changetype<Geometry>(geo);
  const taps = pad + f32s(g.C * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) + 4);
  tapTable(g, taps);
  const KK = g.C * g.KH * g.KW;
  // the weights of each block of 4 channels, tap by tap: [w[oc][t], ..., w[oc + 3][t]]
  const packed = (taps + f32s(KK) + 15) & ~15;
  for (let oc = 0; oc + 4 <= g.OC; oc += 4)
    for (let t = 0; t < KK; t++)
      for (let j = 0; j < 4; j++) store<f32>(packed + (<usize>((oc >> 2) * KK + t) << 4) + f32s(j), load<f32>(w + f32s((oc + j) * KK + t)));
  for (let n = 0; n < g.N; n++) {
    padImage(g, x + f32s(n * g.C * g.H * g.W), pad);
    const yn = y + f32s(n * g.OC * g.OH * g.OW);
    let oc = 0;
    for (; oc + 4 <= g.OC; oc += 4) outputChannels(4, g, pad, taps, w, packed, bias, yn, oc);
    for (; oc + 2 <= g.OC; oc += 2) outputChannels(2, g, pad, taps, w, packed, bias, yn, oc);
    for (; oc < g.OC; oc++) outputChannels(1, g, pad, taps, w, packed, bias, yn, oc);
  }
}

// @ts-ignore: decorator
@inline function addVector(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

/** Byte offsets of the taps in (c, kh, kw) order from an output's top-left input, at `taps`. */
function tapTable(g: Geometry, taps: usize): void {
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW;
  for (let c = 0, t = 0; c < g.C; c++)
    for (let kh = 0; kh < g.KH; kh++)
      for (let kw = 0; kw < g.KW; kw++, t++) store<i32>(taps + (<usize>t << 2), ((c * Hp + kh) * Wp + kw) << 2);
}

/**
 * NO output channels (1 or 2) x NT taps (1 or 4) from tap t: the sums over one padded image of
 * dy[oc] * shifted x, added into the lane vectors at acc[(oc - o0) * KK + t] (`acc` points at
 * oc's first).
 * NOTE: the row's masked last vector reads up to 3 floats past the end of dy's row, so the
 * caller leaves room after dy.
 * NOTE: 2 x 4 blocks: eight independent sums (an add's latency is hidden) for two dy loads and
 * four x loads.
 */
// @ts-ignore: decorator
@inline function weightTaps(NO: i32, NT: i32, g: Geometry, pad: usize, taps: usize, dyn: usize, oc: i32, t: i32, acc: usize): void {
  const Wp = g.W + 2 * g.PW, OW = g.OW, P = g.OH * g.OW, KK = g.C * g.KH * g.KW;
  const at = acc + (<usize>t << 4), at2 = at + (<usize>KK << 4);
  // this image's sums start from zero and are added to the running ones at the end: shorter
  // chains of float32 additions than one sum over every image (about 4x less rounding error)
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, r0 = s0, r1 = s0, r2 = s0, r3 = s0;
  const o0 = <usize>load<i32>(taps + (<usize>t << 2));
  const o1 = NT > 1 ? <usize>load<i32>(taps + (<usize>(t + 1) << 2)) : 0;
  const o2 = NT > 1 ? <usize>load<i32>(taps + (<usize>(t + 2) << 2)) : 0;
  const o3 = NT > 1 ? <usize>load<i32>(taps + (<usize>(t + 3) << 2)) : 0;
  const V = OW & ~3;
  const tail = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(OW - V));
  for (let oh = 0; oh < g.OH; oh++) {
    const d = dyn + f32s((oc * g.OH + oh) * OW);
    const row = pad + f32s(oh * Wp);
    for (let ow = 0; ow < V; ow += 4) {
      const dv = v128.load(d + f32s(ow));
      const ev = NO > 1 ? v128.load(d + f32s(P + ow)) : dv;
      const xp = row + f32s(ow);
      const x0 = v128.load(xp + o0);
      s0 = f32x4.add(s0, f32x4.mul(dv, x0));
      if (NO > 1) r0 = f32x4.add(r0, f32x4.mul(ev, x0));
      if (NT > 1) {
        const x1 = v128.load(xp + o1), x2 = v128.load(xp + o2), x3 = v128.load(xp + o3);
        s1 = f32x4.add(s1, f32x4.mul(dv, x1));
        s2 = f32x4.add(s2, f32x4.mul(dv, x2));
        s3 = f32x4.add(s3, f32x4.mul(dv, x3));
        if (NO > 1) {
          r1 = f32x4.add(r1, f32x4.mul(ev, x1));
          r2 = f32x4.add(r2, f32x4.mul(ev, x2));
          r3 = f32x4.add(r3, f32x4.mul(ev, x3));
        }
      }
    }
    if (V < OW) {
      // The row's last columns, a vector with its lanes past the row masked to zero in dy and
      // in x alike (0 * 0 adds nothing, even where the next row holds an infinity).
      // NOTE: the loop's body again, masked, rather than a shared helper: the eight sums must
      // stay locals of this function to stay in registers (as the GEMM's micro-kernels).
      const dv = v128.and(v128.load(d + f32s(V)), tail);
      const ev = NO > 1 ? v128.and(v128.load(d + f32s(P + V)), tail) : dv;
      const xp = row + f32s(V);
      const x0 = v128.and(v128.load(xp + o0), tail);
      s0 = f32x4.add(s0, f32x4.mul(dv, x0));
      if (NO > 1) r0 = f32x4.add(r0, f32x4.mul(ev, x0));
      if (NT > 1) {
        const x1 = v128.and(v128.load(xp + o1), tail), x2 = v128.and(v128.load(xp + o2), tail), x3 = v128.and(v128.load(xp + o3), tail);
        s1 = f32x4.add(s1, f32x4.mul(dv, x1));
        s2 = f32x4.add(s2, f32x4.mul(dv, x2));
        s3 = f32x4.add(s3, f32x4.mul(dv, x3));
        if (NO > 1) {
          r1 = f32x4.add(r1, f32x4.mul(ev, x1));
          r2 = f32x4.add(r2, f32x4.mul(ev, x2));
          r3 = f32x4.add(r3, f32x4.mul(ev, x3));
        }
      }
    }
  }
  addVector(at, s0);
  if (NT > 1) {
    addVector(at + 16, s1);
    addVector(at + 32, s2);
    addVector(at + 48, s3);
  }
  if (NO > 1) {
    addVector(at2, r0);
    if (NT > 1) {
      addVector(at2 + 16, r1);
      addVector(at2 + 32, r2);
      addVector(at2 + 48, r3);
    }
  }
}

/** Taps of output channels [oc, oc + NO) for one padded image. */
// @ts-ignore: decorator
@inline function weightChannels(NO: i32, g: Geometry, pad: usize, taps: usize, dyn: usize, oc: i32, t0: i32, t1: i32, acc: usize): void {
  let t = t0;
  for (; t + 4 <= t1; t += 4) weightTaps(NO, 4, g, pad, taps, dyn, oc, t, acc);
  for (; t < t1; t++) weightTaps(NO, 1, g, pad, taps, dyn, oc, t, acc);
}

/**
 * dw[o][t] for output channels [o0, o1) and taps [t0, t1) (a thread's share: a block of rows, or
 * of columns when there are few channels), summed over the geometry's N images in order; `acc`
 * is scratch for (o1 - o0) * C*KH*KW lane vectors, `pad` for a padded image and the tap table.
 * Each dw value is its vector's lanes summed as (l0 + l1) + (l2 + l3): the same order for any
 * split between threads.
 */
export function conv2dDirectBackwardWeight(geo: usize, x: usize, dy: usize, dw: usize, pad: usize, acc: usize, o0: i32, o1: i32, t0: i32, t1: i32): void {
  const g = changetype<Geometry>(geo);
  const KK = g.C * g.KH * g.KW;
  const taps = pad + f32s(g.C * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) + 4);
  tapTable(g, taps);
  fillF32(acc, (o1 - o0) * KK * 4, 0);
  for (let n = 0; n < g.N; n++) {
    padImage(g, x + f32s(n * g.C * g.H * g.W), pad);
    const dyn = dy + f32s(n * g.OC * g.OH * g.OW);
    let oc = o0;
    for (; oc + 2 <= o1; oc += 2) weightChannels(2, g, pad, taps, dyn, oc, t0, t1, acc + (<usize>((oc - o0) * KK) << 4));
    for (; oc < o1; oc++) weightChannels(1, g, pad, taps, dyn, oc, t0, t1, acc + (<usize>((oc - o0) * KK) << 4));
  }
  for (let o = o0; o < o1; o++)
    for (let t = t0; t < t1; t++) {
      const v = v128.load(acc + (<usize>((o - o0) * KK + t) << 4));
      const s = (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
      store<f32>(dw + f32s(o * KK + t), s);
    }
}
