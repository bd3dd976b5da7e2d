// Direct convolution, weight gradient, for layers with few channels (LeNet's C1 and C3): stride 1,
// no dilation, one group. Same contract as conv2dBackwardWeight in ./conv2d.ts; see
// conv2d-direct.ts for why direct.
//   x (N, C, H, W), dy (N, OC, OH, OW), dw (OC, C, KH, KW); `pad`: see ./padded.ts.

import { Geometry } from "../common/geometry";
import { addVector, f32s, fillF32 } from "../common/mem";
import { padImage, tapTable } from "./padded";

/**
 * NO output channels (1 or 2) x NT taps (1 or 4) from tap t: the sums over one padded image of
 * dy[oc] * shifted x, added into the lane vectors from acc[t] (`acc` points at channel oc's
 * first; oc + 1's follow KK vectors later).
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

/** Taps [0, KK) of output channels [oc, oc + NO) for one padded image. */
// @ts-ignore: decorator
@inline function weightChannels(NO: i32, g: Geometry, pad: usize, taps: usize, dyn: usize, oc: i32, KK: i32, acc: usize): void {
  let t = 0;
  for (; t + 4 <= KK; t += 4) weightTaps(NO, 4, g, pad, taps, dyn, oc, t, acc);
  for (; t < KK; t++) weightTaps(NO, 1, g, pad, taps, dyn, oc, t, acc);
}

/**
 * Image groups [g0, g1) of G (group i: images [N*i/G, N*(i+1)/G)), output channels [o0, o1):
 * each group's sums over its images, in order, into its own block of `sums`: G blocks of
 * OC*C*KH*KW lane vectors (dw's layout, 4 floats each). conv2dDirectBackwardWeightSum then adds
 * the blocks into dw. The groups depend on N alone, so any split of groups or channels between
 * threads gives the same bits. `pad` is scratch for a padded image and the tap table.
 */
export function conv2dDirectBackwardWeight(geo: usize, x: usize, dy: usize, sums: usize, pad: usize, G: i32, g0: i32, g1: i32, o0: i32, o1: i32): void {
  const g = changetype<Geometry>(geo);
  const KK = g.C * g.KH * g.KW;
  const taps = pad + f32s(g.C * (g.H + 2 * g.PH) * (g.W + 2 * g.PW) + 4);
  tapTable(g, taps);
  for (let gi = g0; gi < g1; gi++) weightGroup(g, x, dy, sums + (<usize>(gi * g.OC * KK) << 4), pad, taps, g.N * gi / G, g.N * (gi + 1) / G, o0, o1);
}

/**
 * Images [n0, n1) summed into `acc` (their group's block), output channels [o0, o1).
 * NOTE: a function of its own rather than the loop body inlined: the same code, but V8 ran the
 * inlined one up to ~2-3% slower on some shapes (16->32 3x3 on 16x16) and this one within ~1% of
 * the single-block kernel it replaced on each of C1, C3 and 16->32.
 */
function weightGroup(g: Geometry, x: usize, dy: usize, acc: usize, pad: usize, taps: usize, n0: i32, n1: i32, o0: i32, o1: i32): void {
  const KK = g.C * g.KH * g.KW;
  fillF32(acc + (<usize>(o0 * KK) << 4), (o1 - o0) * KK * 4, 0);
  for (let n = n0; n < n1; n++) {
    padImage(g, x + f32s(n * g.C * g.H * g.W), pad);
    const dyn = dy + f32s(n * g.OC * g.OH * g.OW);
    let oc = o0;
    for (; oc + 2 <= o1; oc += 2) weightChannels(2, g, pad, taps, dyn, oc, KK, acc + (<usize>(oc * KK) << 4));
    for (; oc < o1; oc++) weightChannels(1, g, pad, taps, dyn, oc, KK, acc + (<usize>(oc * KK) << 4));
  }
}

/**
 * dw[i] = the lanes, (l0 + l1) + (l2 + l3), of ((sums[0][i] + sums[1][i]) + sums[2][i]) + ...,
 * over G blocks of n lane vectors.
 */
export function conv2dDirectBackwardWeightSum(sums: usize, G: i32, n: i32, dw: usize): void {
  for (let i = 0; i < n; i++) {
    let v = v128.load(sums + (<usize>i << 4));
    for (let gi = 1; gi < G; gi++) v = f32x4.add(v, v128.load(sums + (<usize>(gi * n + i) << 4)));
    store<f32>(dw + f32s(i), (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
  }
}
