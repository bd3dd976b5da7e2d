// Direct convolution, forward, for layers with few input channels and few output channels (LeNet's
// C1: 1 -> 6 channels, 5x5, on 28x28): stride 1, no dilation, one group. Same contract as
// conv2dForward in ./conv2d.ts (the weight gradient: conv2d-weight.ts).
// NOTE: why not im2col + GEMM here: C1's im2col matrix is 25 x 784 per image, written, then read
// and packed again by the GEMM, for only 6 output rows (a 4x8 micro-kernel plus a 2-row rest):
// memory traffic, not arithmetic, set the time. Here each image is copied once into a
// zero-padded buffer and every output vector is summed in registers over all the taps.
//   x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, OH, OW); `pad`: see ./padded.ts.

import { Geometry } from "../common/geometry";
import { ACT_NONE, activate4 } from "../elementwise/elementwise";
import { padImage, tapTable } from "./padded";
import { f32s } from "../common/mem";

/**
 * NB output channels (1, 2 or 4: a constant once inlined, so the unused accumulators vanish) at
 * columns [ow, ow + 4 * NV) of row oh, NV = 1 or 2 vectors; the first `keep` columns are stored
 * (fewer than 4 only for the row's overhanging last vector). Taps run in (c, kh, kw) order.
 */
// @ts-ignore: decorator
@inline function outputBlock(NB: i32, NV: i32, g: Geometry, pad: usize, taps: usize, w: usize, packed: usize, bias: usize, y: usize, oc: i32, oh: i32, ow: i32, keep: i32, act: i32): void {
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
  if (act != ACT_NONE) {
    // the activation while the sums are still in registers (a fused Tanh/ReLU, ops/fused.ts): the
    // tanh/ReLU kernels' own function, so the same bits as running them after
    a0 = activate4(act, a0);
    if (NV > 1) a1 = activate4(act, a1);
    if (NB > 1) {
      b0 = activate4(act, b0);
      if (NV > 1) b1 = activate4(act, b1);
    }
    if (NB > 2) {
      c0 = activate4(act, c0);
      d0 = activate4(act, d0);
      if (NV > 1) {
        c1 = activate4(act, c1);
        d1 = activate4(act, d1);
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
@inline function outputChannels(NB: i32, g: Geometry, pad: usize, taps: usize, w: usize, packed: usize, bias: usize, y: usize, oc: i32, act: i32): void {
  for (let oh = 0; oh < g.OH; oh++) {
    let ow = 0;
    for (; ow + 8 <= g.OW; ow += 8) outputBlock(NB, 2, g, pad, taps, w, packed, bias, y, oc, oh, ow, 4, act);
    for (; ow < g.OW; ow += 4) outputBlock(NB, 1, g, pad, taps, w, packed, bias, y, oc, oh, ow, g.OW - ow, act);
  }
}

/** y = act(conv(x, w) + bias) (bias 0: none; act: ACT_* of ../elementwise/elementwise.ts) for the geometry's N images. */
export function conv2dDirectForward(geo: usize, x: usize, w: usize, bias: usize, y: usize, pad: usize, act: i32): void {
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
    for (; oc + 4 <= g.OC; oc += 4) outputChannels(4, g, pad, taps, w, packed, bias, yn, oc, act);
    for (; oc + 2 <= g.OC; oc += 2) outputChannels(2, g, pad, taps, w, packed, bias, yn, oc, act);
    for (; oc < g.OC; oc++) outputChannels(1, g, pad, taps, w, packed, bias, yn, oc, act);
  }
}
