// Convolution in raw float32 memory by im2col + GEMM: the same contract as
// src/kernels/ref/conv2d.ts (outputs overwritten, no bias).
//   x is (N, C, H, W), w is (OC, C/groups, KH, KW), y and dy are (N, OC, OH, OW).
// Images go through in chunks of `chunk`: their im2col matrices sit side by side in cols, so
// that a layer with few output positions (LeNet's C5 has one per image) still gives the GEMM a
// wide matrix instead of one column per image; the GEMM then works in tmp, (OC/groups, chunk*P),
// which is scattered to / gathered from the (N, OC, P) layout. A chunk of one works in place.
// Threads split the forward pass and the input gradient by images (the caller gives each thread
// a geometry whose N is its share, and operands offset to its first image); the weight gradient
// sums over all images, so there each thread takes a block of the columns of dw (rows of the
// im2col matrix) instead, which keeps every sum in the same order for any thread count.
// Scratch per thread: cols holds rows x chunk*OH*OW floats, tmp (OC/groups) x chunk*OH*OW.
// A 1x1 kernel at stride 1 without padding is a plain GEMM: an image's (C, H*W) block is its
// im2col matrix already, so with one image per chunk the GEMM reads x (and writes dx) in place.

import { gemm } from "../gemm/gemm";
import { Geometry } from "../common/geometry";
import { col2im, im2colRows } from "./im2col";
import { copyF32, f32s, fillF32 } from "../common/mem";

/** Copies planes between (N, OC, P) at `nchw` (group block o0) and (OCg, cnt*P) at `tmp`. */
function shuffle(toTmp: bool, nchw: usize, OC: i32, o0: i32, OCg: i32, P: i32, cnt: i32, tmp: usize): void {
  const L = cnt * P;
  for (let j = 0; j < cnt; j++)
    for (let o = 0; o < OCg; o++) {
      const a = nchw + f32s((j * OC + o0 + o) * P), t = tmp + f32s(o * L + j * P);
      if (toTmp) copyF32(t, a, P);
      else copyF32(a, t, P);
    }
}

/** Whether an image's im2col matrix is the image itself (a 1x1 kernel, stride 1, no padding). */
function pointwise(g: Geometry): bool {
  return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PH == 0 && g.PW == 0;
}

/** bias is 0 for none; otherwise each output plane starts from its channel's bias. */
export function conv2dForward(geo: usize, x: usize, w: usize, bias: usize, y: usize, cols: usize, tmp: usize, chunk: i32): void {
  const g = changetype<Geometry>(geo);
  const Cg = g.C / g.groups, OCg = g.OC / g.groups, KK = Cg * g.KH * g.KW, P = g.OH * g.OW;
  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const cnt = min(chunk, g.N - n0), L = cnt * P;
    for (let gi = 0; gi < g.groups; gi++) {
      const image = x + f32s((n0 * g.C + gi * Cg) * g.H * g.W);
      const inPlace = cnt == 1 && pointwise(g);
      if (!inPlace) for (let j = 0; j < cnt; j++) im2colRows(g, Cg, x + f32s(((n0 + j) * g.C + gi * Cg) * g.H * g.W), cols + f32s(j * P), L, 0, KK);
      const out = cnt == 1 ? y + f32s((n0 * g.OC + gi * OCg) * P) : tmp;
      if (bias) for (let o = 0; o < OCg; o++) fillF32(out + f32s(o * L), L, load<f32>(bias + f32s(gi * OCg + o)));
      gemm(false, false, OCg, L, KK, w + f32s(gi * OCg * KK), KK, inPlace ? image : cols, L, out, L, bias != 0);
      if (cnt > 1) shuffle(false, y + f32s(n0 * g.OC * P), g.OC, gi * OCg, OCg, P, cnt, tmp);
    }
  }
}

export function conv2dBackwardInput(geo: usize, dy: usize, w: usize, dx: usize, dcols: usize, tmp: usize, chunk: i32): void {
  const g = changetype<Geometry>(geo);
  const Cg = g.C / g.groups, OCg = g.OC / g.groups, KK = Cg * g.KH * g.KW, P = g.OH * g.OW;
  memory.fill(dx, 0, f32s(g.N * g.C * g.H * g.W));
  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const cnt = min(chunk, g.N - n0), L = cnt * P;
    for (let gi = 0; gi < g.groups; gi++) {
      let b = dy + f32s((n0 * g.OC + gi * OCg) * P);
      if (cnt > 1) {
        shuffle(true, dy + f32s(n0 * g.OC * P), g.OC, gi * OCg, OCg, P, cnt, tmp);
        b = tmp;
      }
      const image = dx + f32s((n0 * g.C + gi * Cg) * g.H * g.W);
      if (cnt == 1 && pointwise(g)) {
        gemm(true, false, KK, L, OCg, w + f32s(gi * OCg * KK), KK, b, L, image, L, false);
        continue;
      }
      gemm(true, false, KK, L, OCg, w + f32s(gi * OCg * KK), KK, b, L, dcols, L, false);
      for (let j = 0; j < cnt; j++) col2im(g, Cg, dcols + f32s(j * P), L, dx + f32s(((n0 + j) * g.C + gi * Cg) * g.H * g.W));
    }
  }
}

/** Columns [r0, r1) of every group's block of dw (OC, KK). */
export function conv2dBackwardWeight(geo: usize, x: usize, dy: usize, dw: usize, cols: usize, tmp: usize, chunk: i32, r0: i32, r1: i32): void {
  const g = changetype<Geometry>(geo);
  const Cg = g.C / g.groups, OCg = g.OC / g.groups, KK = Cg * g.KH * g.KW, P = g.OH * g.OW;
  for (let o = 0; o < g.OC; o++) memory.fill(dw + f32s(o * KK + r0), 0, f32s(r1 - r0));
  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const cnt = min(chunk, g.N - n0), L = cnt * P;
    for (let gi = 0; gi < g.groups; gi++) {
      // rows [r0, r1) of a 1x1 kernel's im2col matrix: channels r0..r1 of the image
      const image = x + f32s((n0 * g.C + gi * Cg + r0) * g.H * g.W);
      const inPlace = cnt == 1 && pointwise(g);
      if (!inPlace) for (let j = 0; j < cnt; j++) im2colRows(g, Cg, x + f32s(((n0 + j) * g.C + gi * Cg) * g.H * g.W), cols + f32s(j * P), L, r0, r1);
      let a = dy + f32s((n0 * g.OC + gi * OCg) * P);
      if (cnt > 1) {
        shuffle(true, dy + f32s(n0 * g.OC * P), g.OC, gi * OCg, OCg, P, cnt, tmp);
        a = tmp;
      }
      gemm(false, true, OCg, r1 - r0, L, a, L, inPlace ? image : cols, L, dw + f32s(gi * OCg * KK + r0), KK, true);
    }
  }
}

/**
 * db[o] = the sum of dy over images and positions of channel o, for o in [o0, o1): per image a
 * float64 sum in the reference's order (ref/conv2d.ts planeSum: eight interleaved partial sums,
 * here four f64x2 vectors), added into a float32 total.
 */
export function conv2dBackwardBias(dy: usize, db: usize, N: i32, OC: i32, P: i32, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    let total: f64 = 0;
    for (let n = 0; n < N; n++) total = <f64>(<f32>(total + planeSum(dy + f32s((n * OC + o) * P), P)));
    store<f32>(db + f32s(o), <f32>total);
  }
}

function planeSum(plane: usize, P: i32): f64 {
  let a = f64x2.splat(0), b = a, c = a, d = a;
  let p = 0;
  for (; p + 8 <= P; p += 8) {
    const v = v128.load(plane + f32s(p)), w = v128.load(plane + f32s(p), 16);
    a = f64x2.add(a, f64x2.promote_low_f32x4(v));
    b = f64x2.add(b, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    c = f64x2.add(c, f64x2.promote_low_f32x4(w));
    d = f64x2.add(d, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 0, 1)));
  }
  let s0 = f64x2.extract_lane(a, 0), s1 = f64x2.extract_lane(a, 1), s2 = f64x2.extract_lane(b, 0), s3 = f64x2.extract_lane(b, 1);
  let s4 = f64x2.extract_lane(c, 0), s5 = f64x2.extract_lane(c, 1), s6 = f64x2.extract_lane(d, 0), s7 = f64x2.extract_lane(d, 1);
  for (; p < P; p++) {
    const v = <f64>load<f32>(plane + f32s(p));
    const j = p & 7; // at most 7 values left, sums 0..6
    if (j == 0) s0 += v;
    else if (j == 1) s1 += v;
    else if (j == 2) s2 += v;
    else if (j == 3) s3 += v;
    else if (j == 4) s4 += v;
    else if (j == 5) s5 += v;
    else s6 += v;
  }
  return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}
