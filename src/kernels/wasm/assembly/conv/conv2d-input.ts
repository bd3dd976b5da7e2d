// The input gradient of a stride-1, undilated, ungrouped convolution by direct summation, with
// four images in the four lanes of every vector. Same contract as conv2dBackwardInput in
// ./conv2d.ts.
//   dy (N, OC, OH, OW), w (OC, C, KH, KW), dx (N, C, H, W):
//   dx[n, c, iy, ix] = sum over kh, kw, oc of w[oc, c, kh, kw] * dy[n, oc, iy + PH - kh, ix + PW - kw]
//   over the dy positions that exist, in that (kh, kw, oc) order.
// NOTE: why images in the lanes: every lane does useful work whatever the plane's width, and the
// taps that fall outside dy are cut by loop bounds (rows exactly, columns per block of positions)
// instead of multiplied as zeros. LeNet's C3 (6 <- 16 channels, 5x5, dy 10x10, dx 14x14) spent
// half its multiplies on zeros as a forward convolution of dy padded by 4, and the GEMM + col2im
// route writes and re-reads a 150 x 100 column matrix per image.
// Each thread's scratch (conv2dDirectBackwardInputScratch floats) holds:
//   wp     the weights, packed by each thread (faster than one copy packed before the run) as
//          (C/4, KH*KW, OC, 4) vectors, each one channel's weight splatted (loads in the inner
//          loop instead of shuffles: measured faster)
//   dy4    one group of four images of dy as (OH, OC, pc + OW + pc) vectors, a zero border of pc
//          columns: a block of NP positions takes one range of taps, the union of theirs, which
//          reads up to NP - 1 columns past either end of a row
//   table  the byte offset in dy4 of each tap (kh, kw, oc), so that the inner loop is one walk
//   row    one row of dx for a block of channels, (4, W) vectors, transposed out to dx's images
// NOTE: blocks of (channels x positions) 4 x 2, 2 x 4 and 1 x 6 sums: with their dy vectors and
// weights at most 15 live vectors (V8 gives WebAssembly 15 xmm registers); 1 x 8 spilled and took
// 1.6x as long on LeNet's C1 shape.

import { Geometry } from "../common/geometry";
import { flushRow, interleaveRow, positionsFor } from "./lanes";
import { f32s, fillF32, vecs } from "../common/mem";

/** Zero columns on each side of a staged dy row: the widest block of positions, less one. */
function padColumns(C: i32): i32 {
  return positionsFor(C & 1 ? 1 : C & 2 ? 2 : 4) - 1;
}

/** Floats of wp: 16 per (group of 4 channels, tap, oc). */
function packedWeights(g: Geometry): i32 {
  return 16 * ((g.C + 3) >> 2) * g.OC * g.KH * g.KW;
}

/** The floats of scratch one thread needs for this geometry. */
export function conv2dDirectBackwardInputScratch(geo: usize): i32 {
  const g = changetype<Geometry>(geo);
  return packedWeights(g) + (g.KH * g.KW * g.OC + 3 & ~3) + 16 * g.W + 4 * g.OC * g.OH * (g.OW + 2 * padColumns(g.C));
}

/** wp[(c/4, t, oc, l)] = w[oc, c + l, t] in every lane (zero past C). */
function packWeights(g: Geometry, w: usize, wp: usize): void {
  const KK = g.KH * g.KW;
  for (let cb = 0; cb < g.C; cb += 4)
    for (let oc = 0; oc < g.OC; oc++)
      for (let t = 0; t < KK; t++) {
        const to = wp + vecs((((cb >> 2) * KK + t) * g.OC + oc) * 4);
        for (let l = 0; l < 4; l++) v128.store(to + vecs(l), f32x4.splat(cb + l < g.C ? load<f32>(w + f32s((oc * g.C + cb + l) * KK + t)) : 0));
      }
}

/** Images [n0, n0 + cnt) of dy (cnt <= 4; the missing lanes zero) into dy4, rows Wq vectors wide. */
function stageImages(g: Geometry, dy: usize, n0: i32, cnt: i32, dy4: usize, Wq: i32, pc: i32): void {
  const OW = g.OW, P = g.OH * OW, stride = f32s(g.OC * P);
  for (let r = 0; r < g.OC * g.OH; r++) {
    const oc = r / g.OH, oy = r % g.OH;
    const row = dy4 + vecs((oy * g.OC + oc) * Wq);
    fillF32(row, 4 * pc, 0);
    fillF32(row + vecs(pc + OW), 4 * pc, 0);
    interleaveRow(dy + f32s(n0 * g.OC * P + r * OW), stride, cnt, row + vecs(pc), OW);
  }
}

/**
 * dx at channels [c, c + NB) x columns [ix, ix + NP) of row iy for the staged group, into `row`.
 * Sum s(b, p) is s[b * 4 + p] for NB = 2, s[p] for NB = 1, s[2b + p] for NB = 4; NB and NP are
 * constants once inlined, so the unused sums vanish.
 */
// @ts-ignore: decorator
@inline function inputBlock(NB: i32, NP: i32, g: Geometry, dy4: usize, Wq: i32, pc: i32, wp: usize, table: usize, row: usize, c: i32, iy: i32, ix: i32): void {
  const KK = g.KH * g.KW;
  const kh0 = max(0, iy + g.PH - g.OH + 1), kh1 = min(g.KH - 1, iy + g.PH);
  const kw0 = max(0, ix + g.PW - g.OW + 1), kw1 = min(g.KW - 1, ix + NP - 1 + g.PW);
  const wcb = wp + vecs(((c >> 2) * KK * g.OC) * 4 + (c & 3));
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  const OC = g.OC;
  const base = dy4 + vecs((iy + g.PH) * OC * Wq + pc + ix + g.PW);
  // Kernel rows one by one, or all in one loop where the block takes every column tap (their
  // taps are then consecutive in the table): fewer loop exits for short rows of taps.
  const together = kw0 == 0 && kw1 == g.KW - 1;
  for (let kh = kh0; kh <= kh1; kh = together ? kh1 + 1 : kh + 1) {
    const t0 = (kh * g.KW + kw0) * OC, t1 = ((together ? kh1 : kh) * g.KW + kw1 + 1) * OC;
    let wq = wcb + vecs(t0 * 4);
    for (let tp = table + f32s(t0), end = table + f32s(t1); tp < end; tp += 4, wq += 64) {
      const xp = base + <usize>load<i32>(tp);
      const x0 = v128.load(xp);
      const x1 = NP > 1 ? v128.load(xp, 16) : x0;
      const x2 = NP > 2 ? v128.load(xp, 32) : x0;
      const x3 = NP > 3 ? v128.load(xp, 48) : x0;
      const x4 = NP > 4 ? v128.load(xp, 64) : x0;
      const x5 = NP > 5 ? v128.load(xp, 80) : x0;
      if (NB == 4) {
        const wa = v128.load(wq), wb = v128.load(wq, 16), wc = v128.load(wq, 32), wd = v128.load(wq, 48);
        s0 = f32x4.add(s0, f32x4.mul(x0, wa));
        s2 = f32x4.add(s2, f32x4.mul(x0, wb));
        s4 = f32x4.add(s4, f32x4.mul(x0, wc));
        s6 = f32x4.add(s6, f32x4.mul(x0, wd));
        if (NP > 1) {
          s1 = f32x4.add(s1, f32x4.mul(x1, wa));
          s3 = f32x4.add(s3, f32x4.mul(x1, wb));
          s5 = f32x4.add(s5, f32x4.mul(x1, wc));
          s7 = f32x4.add(s7, f32x4.mul(x1, wd));
        }
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
        if (NP > 4) s4 = f32x4.add(s4, f32x4.mul(x4, wa));
        if (NP > 5) s5 = f32x4.add(s5, f32x4.mul(x5, wa));
      }
    }
  }
  // channel b's vector of position p goes to at + b * next + 16 p
  const at = row + vecs(ix), next = vecs(g.W);
  v128.store(at, s0);
  if (NP > 1) v128.store(at, s1, 16);
  if (NB == 4) {
    v128.store(at + next, s2);
    v128.store(at + 2 * next, s4);
    v128.store(at + 3 * next, s6);
    if (NP > 1) {
      v128.store(at + next, s3, 16);
      v128.store(at + 2 * next, s5, 16);
      v128.store(at + 3 * next, s7, 16);
    }
  } else if (NB == 2) {
    if (NP > 2) v128.store(at, s2, 32);
    if (NP > 3) v128.store(at, s3, 48);
    v128.store(at + next, s4);
    if (NP > 1) v128.store(at + next, s5, 16);
    if (NP > 2) v128.store(at + next, s6, 32);
    if (NP > 3) v128.store(at + next, s7, 48);
  } else {
    if (NP > 2) v128.store(at, s2, 32);
    if (NP > 3) v128.store(at, s3, 48);
    if (NP > 4) v128.store(at, s4, 64);
    if (NP > 5) v128.store(at, s5, 80);
  }
}

/** Channels [c, c + NB) of the staged group, row by row in blocks of positions (then 4, 2, 1). */
// @ts-ignore: decorator
@inline function inputChannels(NB: i32, g: Geometry, dy4: usize, Wq: i32, pc: i32, wp: usize, table: usize, row: usize, dx: usize, cnt: i32, c: i32): void {
  const NP = positionsFor(NB);
  for (let iy = 0; iy < g.H; iy++) {
    let ix = 0;
    for (; ix + NP <= g.W; ix += NP) inputBlock(NB, NP, g, dy4, Wq, pc, wp, table, row, c, iy, ix);
    if (NP > 4 && ix + 4 <= g.W) {
      inputBlock(NB, 4, g, dy4, Wq, pc, wp, table, row, c, iy, ix);
      ix += 4;
    }
    if (NP > 2 && ix + 2 <= g.W) {
      inputBlock(NB, 2, g, dy4, Wq, pc, wp, table, row, c, iy, ix);
      ix += 2;
    }
    if (ix < g.W) inputBlock(NB, 1, g, dy4, Wq, pc, wp, table, row, c, iy, ix);
    flushRow(row, NB, dx, g.C, g.H, g.W, cnt, c, iy);
  }
}

/** dx for the geometry's N images (a thread's share); `scratch` as described at the top. */
export function conv2dDirectBackwardInput(geo: usize, dy: usize, w: usize, dx: usize, scratch: usize): void {
  const g = changetype<Geometry>(geo);
  const pc = padColumns(g.C), Wq = g.OW + 2 * pc;
  const wp = scratch, dy4 = scratch + f32s(packedWeights(g));
  packWeights(g, w, wp);
  const table = dy4 + vecs(g.OC * g.OH * Wq);
  // table[(kh, kw, oc)]: where that tap reads, in bytes from a block's origin (dy4 at row
  // iy + PH, channel 0, the column of the block's first position)
  for (let kh = 0, t = 0; kh < g.KH; kh++)
    for (let kw = 0; kw < g.KW; kw++)
      for (let oc = 0; oc < g.OC; oc++, t++) store<i32>(table + f32s(t), <i32>vecs((oc - kh * g.OC) * Wq - kw));
  const row = table + f32s(g.KH * g.KW * g.OC + 3 & ~3);
  for (let n0 = 0; n0 < g.N; n0 += 4) {
    const cnt = min(4, g.N - n0);
    stageImages(g, dy, n0, cnt, dy4, Wq, pc);
    const dxn = dx + f32s(n0 * g.C * g.H * g.W);
    let c = 0;
    for (; c + 4 <= g.C; c += 4) inputChannels(4, g, dy4, Wq, pc, wp, table, row, dxn, cnt, c);
    for (; c + 2 <= g.C; c += 2) inputChannels(2, g, dy4, Wq, pc, wp, table, row, dxn, cnt, c);
    for (; c < g.C; c++) inputChannels(1, g, dy4, Wq, pc, wp, table, row, dxn, cnt, c);
  }
}
