// The direct weight gradient (stride 1, no dilation, one group) with four images in the four
// lanes of every vector. Same contract and group scheme as conv2dDirectBackwardWeight
// (./conv2d-weight.ts), whose conv2dDirectBackwardWeightSum adds the groups and the lanes.
//   x (N, C, H, W), dy (N, OC, OH, OW), dw (OC, C, KH, KW):
//   dw[oc, c, kh, kw] = sum over n, oy, ox of dy[n, oc, oy, ox] * xpad[n, c, oy + kh, ox + kw]
// NOTE: why images in the lanes: the row kernel puts 4 columns in a vector, so a 10-wide row
// (LeNet's C3) takes two vectors and a masked, half-empty third; here every lane is one image's
// term and every position is one whole vector, with no tail and no mask.
// Each thread's scratch (lanesWeightScratch floats in ../../conv/conv2d.ts) holds:
//   x4     four images of x, zero-padded, as (C, H + 2 PH, W + 2 PW) vectors
//   dy4    the same four images of dy as (OC, OH, OW) vectors
//   table  the byte offset in x4 of each tap (c, kh, kw) from a position's top-left input
// Images missing from the last set of four are zero lanes: they add nothing.

import { Geometry } from "../common/geometry";
import { interleaveRow } from "./lanes";
import { addVector, f32s, fillF32, vecs } from "../common/mem";

/** Images [n0, n0 + cnt) (cnt <= 4) of x, padded, into x4 and of dy into dy4. */
function stageSet(g: Geometry, x: usize, dy: usize, n0: i32, cnt: i32, x4: usize, dy4: usize): void {
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW, image = g.C * g.H * g.W, P = g.OH * g.OW;
  fillF32(x4, 4 * g.C * Hp * Wp, 0);
  for (let c = 0; c < g.C; c++)
    for (let h = 0; h < g.H; h++)
      interleaveRow(x + f32s(n0 * image + (c * g.H + h) * g.W), f32s(image), cnt, x4 + vecs((c * Hp + h + g.PH) * Wp + g.PW), g.W);
  interleaveRow(dy + f32s(n0 * g.OC * P), f32s(g.OC * P), cnt, dy4, g.OC * P);
}

/**
 * NO output channels (1 or 2) x NT taps (1 or 4) from tap t over the staged set, added into the
 * lane vectors from acc[t] (`acc` at channel oc's first; oc + 1's follow KK vectors later).
 * NOTE: 2 x 4 blocks as in ./conv2d-weight.ts: eight independent sums for two dy loads and four
 * x loads (14 live vectors of V8's 15). Its loop body written out again, not shared: the sums
 * must stay locals of this function to stay in registers.
 */
// @ts-ignore: decorator
@inline function laneTaps(NO: i32, NT: i32, g: Geometry, x4: usize, dy4: usize, table: usize, oc: i32, t: i32, acc: usize): void {
  const Wp = g.W + 2 * g.PW, OW = g.OW, P = g.OH * OW, KK = g.C * g.KH * g.KW;
  const at = acc + vecs(t), at2 = at + vecs(KK);
  // this set's sums start from zero and are added to the group's at the end (shorter chains of
  // float32 additions)
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, r0 = s0, r1 = s0, r2 = s0, r3 = s0;
  const o0 = <usize>load<i32>(table + f32s(t));
  const o1 = NT > 1 ? <usize>load<i32>(table + f32s(t + 1)) : 0;
  const o2 = NT > 1 ? <usize>load<i32>(table + f32s(t + 2)) : 0;
  const o3 = NT > 1 ? <usize>load<i32>(table + f32s(t + 3)) : 0;
  const dP = vecs(P);
  let d = dy4 + vecs(oc * P);
  for (let oy = 0; oy < g.OH; oy++) {
    let xp = x4 + vecs(oy * Wp);
    for (const end = d + vecs(OW); d < end; d += 16, xp += 16) {
      const dv = v128.load(d);
      const ev = NO > 1 ? v128.load(d + dP) : dv;
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

/** Taps [0, KK) of output channels [oc, oc + NO) over the staged set. */
// @ts-ignore: decorator
@inline function laneChannels(NO: i32, g: Geometry, x4: usize, dy4: usize, table: usize, oc: i32, KK: i32, acc: usize): void {
  let t = 0;
  for (; t + 4 <= KK; t += 4) laneTaps(NO, 4, g, x4, dy4, table, oc, t, acc);
  for (; t < KK; t++) laneTaps(NO, 1, g, x4, dy4, table, oc, t, acc);
}

/** Images [n0, n1) (whole sets of four but the batch's last) into `acc`, output channels [o0, o1). */
function laneGroup(g: Geometry, x: usize, dy: usize, acc: usize, x4: usize, dy4: usize, table: usize, n0: i32, n1: i32, o0: i32, o1: i32): void {
  const KK = g.C * g.KH * g.KW;
  fillF32(acc + vecs(o0 * KK), (o1 - o0) * KK * 4, 0);
  for (let n = n0; n < n1; n += 4) {
    stageSet(g, x, dy, n, min(4, n1 - n), x4, dy4);
    let oc = o0;
    for (; oc + 2 <= o1; oc += 2) laneChannels(2, g, x4, dy4, table, oc, KK, acc + vecs(oc * KK));
    for (; oc < o1; oc++) laneChannels(1, g, x4, dy4, table, oc, KK, acc + vecs(oc * KK));
  }
}

/**
 * Image groups [g0, g1) of G, output channels [o0, o1): group i takes the sets of 4 images
 * [M*i/G, M*(i+1)/G) of the batch's M = ceil(N/4) (the last set what is left), its sums into its
 * own block of `sums` (G blocks of OC*C*KH*KW lane vectors), for conv2dDirectBackwardWeightSum to
 * add up. The groups depend on the batch alone, so any split of groups or channels between
 * threads gives the same bits.
 */
export function conv2dLanesBackwardWeight(geo: usize, x: usize, dy: usize, sums: usize, scratch: usize, G: i32, g0: i32, g1: i32, o0: i32, o1: i32): void {
  const g = changetype<Geometry>(geo);
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW, KK = g.C * g.KH * g.KW, M = (g.N + 3) >> 2;
  const x4 = scratch, dy4 = x4 + vecs(g.C * Hp * Wp), table = dy4 + vecs(g.OC * g.OH * g.OW);
  for (let c = 0, t = 0; c < g.C; c++)
    for (let kh = 0; kh < g.KH; kh++)
      for (let kw = 0; kw < g.KW; kw++, t++) store<i32>(table + f32s(t), <i32>vecs((c * Hp + kh) * Wp + kw));
  for (let gi = g0; gi < g1; gi++) laneGroup(g, x, dy, sums + vecs(gi * g.OC * KK), x4, dy4, table, 4 * (M * gi / G), min(g.N, 4 * (M * (gi + 1) / G)), o0, o1);
}
