// Direct convolution, forward, with four images in the four lanes of every vector: stride 1, no
// dilation, one group. Same contract and same bits as conv2dDirectForward (./conv2d-direct.ts):
// each output is bias, then + x * w tap by tap in (c, kh, kw) order, padding zeros included.
//   x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, OH, OW)
// NOTE: why images in the lanes: conv2d-direct.ts vectorises along a row of outputs, so a row of
// 10 (LeNet's C3: 6 -> 16 channels, 5x5 on 14x14) fills 8 + 2 of 12 lanes; here every lane does
// useful work whatever OW is (the model: conv2d-input.ts, the input gradient).
// Each thread's scratch (conv2dLanesForwardScratch floats) holds:
//   wp     the weights as (OC/4, C*KH*KW, 4) vectors, each one channel's weight splatted (zero
//          past OC), packed by each thread
//   x4     one group of four images as (C, H + 2 PH, W + 2 PW) vectors with a zero border
//   taps   the byte offset in x4 of each tap (c, kh, kw) from an output's top-left input
//   row    one row of y for a block of channels, (4, OW) vectors, transposed out to y's images
// NOTE: blocks of (channels x positions) 4 x 2, 2 x 4 and 1 x 6 sums, as conv2d-input.ts: with
// their x vectors and weights at most 15 live vectors (V8 gives WebAssembly 15 xmm registers).

import { Geometry } from "../common/geometry";
import { ACT_NONE, activate4 } from "../elementwise/elementwise";
import { flushRow, interleaveRow, positionsFor } from "./lanes";
import { f32s, fillF32, vecs } from "../common/mem";

function packedWeights(g: Geometry): i32 {
  return 16 * ((g.OC + 3) >> 2) * g.C * g.KH * g.KW;
}

function stagedImages(g: Geometry): i32 {
  return 4 * g.C * (g.H + 2 * g.PH) * (g.W + 2 * g.PW);
}

/** The floats of scratch one thread needs for this geometry. */
export function conv2dLanesForwardScratch(geo: usize): i32 {
  const g = changetype<Geometry>(geo);
  return packedWeights(g) + stagedImages(g) + (g.C * g.KH * g.KW + 3 & ~3) + 16 * g.OW;
}

/** wp[(oc/4, t, l)] = w[oc + l, t] in every lane (zero past OC). */
function packWeights(g: Geometry, w: usize, wp: usize): void {
  const KK = g.C * g.KH * g.KW;
  for (let ob = 0; ob < g.OC; ob += 4)
    for (let t = 0; t < KK; t++) {
      const to = wp + vecs(((ob >> 2) * KK + t) * 4);
      for (let l = 0; l < 4; l++) v128.store(to + vecs(l), f32x4.splat(ob + l < g.OC ? load<f32>(w + f32s((ob + l) * KK + t)) : 0));
    }
}

/** Images [n0, n0 + cnt) of x (cnt <= 4; the missing lanes zero) into x4's interior. */
function stageImages(g: Geometry, x: usize, n0: i32, cnt: i32, x4: usize): void {
  const W = g.W, Hp = g.H + 2 * g.PH, Wp = W + 2 * g.PW, stride = f32s(g.C * g.H * W);
  for (let r = 0; r < g.C * g.H; r++) {
    const c = r / g.H, h = r % g.H;
    interleaveRow(x + f32s(n0 * g.C * g.H * W + r * W), stride, cnt, x4 + vecs((c * Hp + h + g.PH) * Wp + g.PW), W);
  }
}

// @ts-ignore: decorator
@inline function biasOf(bias: usize, oc: i32): v128 {
  return f32x4.splat(bias ? load<f32>(bias + f32s(oc)) : 0);
}

/**
 * y at channels [oc, oc + NB) x columns [ox, ox + NP) of row oy for the staged group, into `row`.
 * Sum s(b, p) is s[2b + p] for NB = 4, s[4b + p] for NB = 2, s[p] for NB = 1; NB and NP are
 * constants once inlined, so the unused sums vanish.
 * NOTE: the same blocking as conv2d-input.ts's inputBlock, written out again rather than shared:
 * the eight sums must be locals of this function to stay in registers.
 */
// @ts-ignore: decorator
@inline function outputBlock(NB: i32, NP: i32, g: Geometry, x4: usize, wp: usize, taps: usize, bias: usize, row: usize, oc: i32, oy: i32, ox: i32, act: i32): void {
  const KK = g.C * g.KH * g.KW;
  const ba = biasOf(bias, oc);
  const bb = NB > 1 ? biasOf(bias, oc + 1) : ba, bc = NB > 2 ? biasOf(bias, oc + 2) : ba, bd = NB > 2 ? biasOf(bias, oc + 3) : ba;
  let s0 = ba, s1 = ba, s2 = ba, s3 = ba, s4 = ba, s5 = ba, s6 = ba, s7 = ba;
  if (NB == 4) {
    s2 = bb;
    s3 = bb;
    s4 = bc;
    s5 = bc;
    s6 = bd;
    s7 = bd;
  } else if (NB == 2) {
    s4 = bb;
    s5 = bb;
    s6 = bb;
    s7 = bb;
  }
  const base = x4 + vecs(oy * (g.W + 2 * g.PW) + ox);
  let wq = wp + vecs(((oc >> 2) * KK) * 4 + (oc & 3));
  for (let tp = taps, end = taps + f32s(KK); tp < end; tp += 4, wq += 64) {
    const xp = base + <usize>load<i32>(tp);
    const x0 = v128.load(xp);
    const x1 = NP > 1 ? v128.load(xp, 16) : x0;
    const x2 = NP > 2 ? v128.load(xp, 32) : x0;
    const x3 = NP > 3 ? v128.load(xp, 48) : x0;
    const x4v = NP > 4 ? v128.load(xp, 64) : x0;
    const x5 = NP > 5 ? v128.load(xp, 80) : x0;
    if (NB == 4) {
      const wa = v128.load(wq);
      s0 = f32x4.add(s0, f32x4.mul(x0, wa));
      if (NP > 1) s1 = f32x4.add(s1, f32x4.mul(x1, wa));
      const wb = v128.load(wq, 16);
      s2 = f32x4.add(s2, f32x4.mul(x0, wb));
      if (NP > 1) s3 = f32x4.add(s3, f32x4.mul(x1, wb));
      const wc = v128.load(wq, 32);
      s4 = f32x4.add(s4, f32x4.mul(x0, wc));
      if (NP > 1) s5 = f32x4.add(s5, f32x4.mul(x1, wc));
      const wd = v128.load(wq, 48);
      s6 = f32x4.add(s6, f32x4.mul(x0, wd));
      if (NP > 1) s7 = f32x4.add(s7, f32x4.mul(x1, wd));
    } else if (NB == 2) {
      const wa = v128.load(wq), wb = v128.load(wq, 16);
      s0 = f32x4.add(s0, f32x4.mul(x0, wa));
      s4 = f32x4.add(s4, f32x4.mul(x0, wb));
      if (NP > 1) {
        s1 = f32x4.add(s1, f32x4.mul(x1, wa));
        s5 = f32x4.add(s5, f32x4.mul(x1, wb));
      }
      if (NP > 2) {
        s2 = f32x4.add(s2, f32x4.mul(x2, wa));
        s6 = f32x4.add(s6, f32x4.mul(x2, wb));
      }
      if (NP > 3) {
        s3 = f32x4.add(s3, f32x4.mul(x3, wa));
        s7 = f32x4.add(s7, f32x4.mul(x3, wb));
      }
    } else {
      const wa = v128.load(wq);
      s0 = f32x4.add(s0, f32x4.mul(x0, wa));
      if (NP > 1) s1 = f32x4.add(s1, f32x4.mul(x1, wa));
      if (NP > 2) s2 = f32x4.add(s2, f32x4.mul(x2, wa));
      if (NP > 3) s3 = f32x4.add(s3, f32x4.mul(x3, wa));
      if (NP > 4) s4 = f32x4.add(s4, f32x4.mul(x4v, wa));
      if (NP > 5) s5 = f32x4.add(s5, f32x4.mul(x5, wa));
    }
  }
  // channel b's vector of position p goes to at + b * next + 16 p, activated (the same function
  // as conv2d-direct.ts, so the same bits)
  const at = row + vecs(ox), next = vecs(g.OW);
  const a = act != ACT_NONE;
  v128.store(at, a ? activate4(act, s0) : s0);
  if (NP > 1) v128.store(at, a ? activate4(act, s1) : s1, 16);
  if (NB == 4) {
    v128.store(at + next, a ? activate4(act, s2) : s2);
    v128.store(at + 2 * next, a ? activate4(act, s4) : s4);
    v128.store(at + 3 * next, a ? activate4(act, s6) : s6);
    if (NP > 1) {
      v128.store(at + next, a ? activate4(act, s3) : s3, 16);
      v128.store(at + 2 * next, a ? activate4(act, s5) : s5, 16);
      v128.store(at + 3 * next, a ? activate4(act, s7) : s7, 16);
    }
  } else if (NB == 2) {
    if (NP > 2) v128.store(at, a ? activate4(act, s2) : s2, 32);
    if (NP > 3) v128.store(at, a ? activate4(act, s3) : s3, 48);
    v128.store(at + next, a ? activate4(act, s4) : s4);
    if (NP > 1) v128.store(at + next, a ? activate4(act, s5) : s5, 16);
    if (NP > 2) v128.store(at + next, a ? activate4(act, s6) : s6, 32);
    if (NP > 3) v128.store(at + next, a ? activate4(act, s7) : s7, 48);
  } else {
    if (NP > 2) v128.store(at, a ? activate4(act, s2) : s2, 32);
    if (NP > 3) v128.store(at, a ? activate4(act, s3) : s3, 48);
    if (NP > 4) v128.store(at, a ? activate4(act, s4) : s4, 64);
    if (NP > 5) v128.store(at, a ? activate4(act, s5) : s5, 80);
  }
}

/** Output channels [oc, oc + NB) of the staged group, row by row in blocks of positions (then 4, 2, 1). */
// @ts-ignore: decorator
@inline function outputChannels(NB: i32, g: Geometry, x4: usize, wp: usize, taps: usize, bias: usize, row: usize, y: usize, cnt: i32, oc: i32, act: i32): void {
  const NP = positionsFor(NB);
  for (let oy = 0; oy < g.OH; oy++) {
    let ox = 0;
    for (; ox + NP <= g.OW; ox += NP) outputBlock(NB, NP, g, x4, wp, taps, bias, row, oc, oy, ox, act);
    if (NP > 4 && ox + 4 <= g.OW) {
      outputBlock(NB, 4, g, x4, wp, taps, bias, row, oc, oy, ox, act);
      ox += 4;
    }
    if (NP > 2 && ox + 2 <= g.OW) {
      outputBlock(NB, 2, g, x4, wp, taps, bias, row, oc, oy, ox, act);
      ox += 2;
    }
    if (ox < g.OW) outputBlock(NB, 1, g, x4, wp, taps, bias, row, oc, oy, ox, act);
    flushRow(row, NB, y, g.OC, g.OH, g.OW, cnt, oc, oy);
  }
}

/** y = act(conv(x, w) + bias) (bias 0: none; act: ACT_* of ../elementwise/elementwise.ts) for the geometry's N images; `scratch` as at the top. */
export function conv2dLanesForward(geo: usize, x: usize, w: usize, bias: usize, y: usize, scratch: usize, act: i32): void {
  const g = changetype<Geometry>(geo);
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW, KK = g.C * g.KH * g.KW;
  const wp = scratch, x4 = wp + f32s(packedWeights(g)), taps = x4 + f32s(stagedImages(g));
  const row = taps + f32s(KK + 3 & ~3);
  packWeights(g, w, wp);
  for (let c = 0, t = 0; c < g.C; c++)
    for (let kh = 0; kh < g.KH; kh++)
      for (let kw = 0; kw < g.KW; kw++, t++) store<i32>(taps + f32s(t), <i32>vecs((c * Hp + kh) * Wp + kw));
  // the border stays zero: staging writes the interior only
  fillF32(x4, stagedImages(g), 0);
  for (let n0 = 0; n0 < g.N; n0 += 4) {
    const cnt = min(4, g.N - n0);
    stageImages(g, x, n0, cnt, x4);
    const yn = y + f32s(n0 * g.OC * g.OH * g.OW);
    let oc = 0;
    for (; oc + 4 <= g.OC; oc += 4) outputChannels(4, g, x4, wp, taps, bias, row, yn, cnt, oc, act);
    for (; oc + 2 <= g.OC; oc += 2) outputChannels(2, g, x4, wp, taps, bias, row, yn, cnt, oc, act);
    for (; oc < g.OC; oc++) outputChannels(1, g, x4, wp, taps, bias, row, yn, cnt, oc, act);
  }
}
