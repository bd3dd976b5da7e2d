// Winograd minimal filtering F(2x2, 3x3) for stride-1, undilated, ungrouped 3x3 convolutions:
// each 2x2 block of outputs (a tile) of each output channel comes from the 4x4 input patch
// under it with 16 multiplies per input channel instead of 36 (2.25x fewer).
//   x is (N, C, H, W), w is (OC, C, 3, 3), y is (N, OC, OH, OW); tiles TH x TW = ceil(OH/2) x ceil(OW/2).
//   U[k][o][c] = (G g G^T)[k]           the weights, 16 matrices (OC, C)      winogradWeights
//   V[k][c][t] = (B^T d B)[k]           the input patch of tile t            inputTransform
//   M[k][o][t] = sum_c U[k][o][c] V[k][c][t]                                 16 GEMMs
//   y tile     = A^T M[.][o][t] A (+ bias, activation)                       outputTransform
// with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
// A^T = [1 1 1 0; 0 1 -1 -1] (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks").
// The input gradient is the same computation (winogradForward with `flipped`): dx is dy, padded
// by 2 - P, correlated with each kernel turned by 180 degrees and its two channel axes swapped;
// G's symmetry (G reversed = G with rows 0 and 3 swapped) makes that kernel's transform U with the
// index k = (i, j) read at (3 - i or i, ...) (FLIP below) and each matrix transposed, so the same U serves.
// The weight gradient (winogradBackwardWeight) is the adjoint: dU[k][o][c] = sum_t Z[k][o][t] V[k][c][t]
// with Z = A dY A^T, then dw = G^T dU G.
// Tiles go through in blocks of whole tile rows (R rows of TW tiles: a block's columns); each
// block's V and M sit in the thread's scratch with a row stride of Tb + 4 floats: a vector of
// four tiles may run past a tile row's end into the next one, which is written after it, or into
// the 4 floats of slack. Every value depends on its own tile only, whatever the blocking, so any
// split of the images across threads gives the same bits.
// NOTE: the input patches come from a zero-padded copy of each input plane (the plane buffer,
// zeroed once per call: only its interior is rewritten), so every tile reads four full rows.

import { gemm } from "./gemm";
import { ACT_RELU, ACT_TANH, tanh4, relu4 } from "./elementwise";
import { Geometry } from "./geometry";

// @ts-ignore: decorator
@inline function f32s(n: i32): usize {
  return <usize>n << 2;
}

/** U's index for the flipped kernel: G applied to a reversed kernel is G with rows 0 and 3 swapped. */
// @ts-ignore: decorator
@inline function flipIndex(k: i32): i32 {
  const i = k >> 2, j = k & 3;
  return ((i == 0 ? 3 : i == 3 ? 0 : i) << 2) | (j == 0 ? 3 : j == 3 ? 0 : j);
}

// The plan for the current geometry (makePlan): tiles TH x TW; R tile rows per block, Tb = R * TW
// tiles, each block matrix's row stride ld = Tb + 4; the plane buffer's rows Hp and row length Wp
// (room for the last vector group's loads).
// NOTE: plain globals, never an object: each thread's instance has its own globals, while an
// object would live in the shared memory, at the same address for every instance.
let TH = 0, TW = 0, R = 0, Tb = 0, LD = 0, Hp = 0, Wp = 0;

/** The most floats of V and M together per block (4 MiB): blocks stay in the outer caches. */
const BLOCK_FLOATS = 1 << 20;

function makePlan(g: Geometry): void {
  TH = (g.OH + 1) >> 1;
  TW = (g.OW + 1) >> 1;
  const perTile = 16 * (g.C + g.OC);
  const want = max(8, min(1024, BLOCK_FLOATS / perTile));
  R = max(1, min(want / TW, TH * g.N));
  Tb = R * TW;
  LD = Tb + 4;
  Hp = 2 * TH + 2;
  Wp = 8 * ((TW + 3) >> 2) + 4;
}

/** Floats of one thread's scratch for winogradForward / winogradBackwardWeight with geometry geo. */
export function winogradScratch(geo: usize): i32 {
  const g = changetype<Geometry>(geo);
  makePlan(g);
  return 16 * (g.C + g.OC) * LD + 2 * Hp * Wp + 64 + 16;
}

/**
 * u (16, OC, C) from w (OC, C, 3, 3), for output channels [o0, o1): u[k][o][c] = (G w[o][c] G^T)[k].
 */
export function winogradWeights(w: usize, u: usize, OC: i32, C: i32, o0: i32, o1: i32): void {
  const plane = f32s(OC * C);
  for (let o = o0; o < o1; o++)
    for (let c = 0; c < C; c++) {
      const g = w + f32s((o * C + c) * 9);
      const out = u + f32s(o * C + c);
      // t = G g (4 rows of 3), then each row r of t times G^T: [a, (a+b+c)/2, (a-b+c)/2, c].
      for (let r = 0; r < 4; r++) {
        let a: f32, b: f32, cc: f32;
        if (r == 0) {
          a = load<f32>(g); b = load<f32>(g, 4); cc = load<f32>(g, 8);
        } else if (r == 3) {
          a = load<f32>(g, 24); b = load<f32>(g, 28); cc = load<f32>(g, 32);
        } else {
          const s: f32 = r == 1 ? 1 : -1;
          a = 0.5 * (load<f32>(g) + load<f32>(g, 24) + s * load<f32>(g, 12));
          b = 0.5 * (load<f32>(g, 4) + load<f32>(g, 28) + s * load<f32>(g, 16));
          cc = 0.5 * (load<f32>(g, 8) + load<f32>(g, 32) + s * load<f32>(g, 20));
        }
        const k = r * 4;
        store<f32>(out + plane * <usize>k, a);
        store<f32>(out + plane * <usize>(k + 1), 0.5 * (a + b + cc));
        store<f32>(out + plane * <usize>(k + 2), 0.5 * (a - b + cc));
        store<f32>(out + plane * <usize>(k + 3), cc);
      }
    }
}

/** Lanes 2l + s of the 12 floats at p (l = 0..3): column s of four tiles side by side. */
// @ts-ignore: decorator
@inline function columns(p: usize, e: usize): void {
  const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32);
  const c0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const c1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const c2 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 4, 6, 6), c, 0, 1, 2, 4);
  const c3 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 3, 5, 7, 7), c, 0, 1, 2, 5);
  // d B along the row: [c0 - c2, c1 + c2, c2 - c1, c1 - c3]
  v128.store(e, f32x4.sub(c0, c2));
  v128.store(e, f32x4.add(c1, c2), 16);
  v128.store(e, f32x4.sub(c2, c1), 32);
  v128.store(e, f32x4.sub(c1, c3), 48);
}

/**
 * V[k][c][col ...] for channel c's tiles of one tile row th of the plane buffer `pb` (Wp floats a
 * row), TW tiles from block column `col`; e: 16 vectors of scratch.
 */
function inputRow(pb: usize, Wp: i32, th: i32, TW: i32, v: usize, kStride: usize, e: usize): void {
  for (let tw = 0; tw < TW; tw += 4) {
    const p = pb + f32s(2 * th * Wp + 2 * tw);
    for (let i = 0; i < 4; i++) columns(p + f32s(i * Wp), e + (<usize>i << 6));
    // B^T along the column: rows [e0 - e2, e1 + e2, e2 - e1, e1 - e3]
    const out = v + f32s(tw);
    for (let j = 0; j < 4; j++) {
      const e0 = v128.load(e + (<usize>j << 4)), e1 = v128.load(e + (<usize>j << 4), 64);
      const e2 = v128.load(e + (<usize>j << 4), 128), e3 = v128.load(e + (<usize>j << 4), 192);
      v128.store(out + kStride * <usize>j, f32x4.sub(e0, e2));
      v128.store(out + kStride * <usize>(4 + j), f32x4.add(e1, e2));
      v128.store(out + kStride * <usize>(8 + j), f32x4.sub(e2, e1));
      v128.store(out + kStride * <usize>(12 + j), f32x4.sub(e1, e3));
    }
  }
}

/** Copies plane x (H, W) into the plane buffer at row PH, column PW (the rest stays zero). */
// @ts-ignore: decorator
@inline function stagePlane(x: usize, H: i32, W: i32, pb: usize, Wp: i32, PH: i32, PW: i32): void {
  for (let h = 0; h < H; h++) {
    const src = x + f32s(h * W), dst = pb + f32s((h + PH) * Wp + PW);
    let i = 0;
    for (; i + 4 <= W; i += 4) v128.store(dst + f32s(i), v128.load(src + f32s(i)));
    for (; i < W; i++) store<f32>(dst + f32s(i), load<f32>(src + f32s(i)));
  }
}

/**
 * V (16, C, ld) for the block of R tile rows starting at global tile row r0 (n = r0 / TH).
 * The plane buffer's interior is rewritten for each (image, channel) the block touches.
 */
function inputTransform(g: Geometry, x: usize, r0: i32, rows: i32, v: usize, pb: usize, e: usize): void {
  const kStride = f32s(g.C * LD);
  const HW = g.H * g.W;
  let r = r0;
  while (r < r0 + rows) {
    const n = r / TH, th0 = r - n * TH;
    const th1 = min(TH, th0 + r0 + rows - r); // this image's tile rows in the block
    for (let c = 0; c < g.C; c++) {
      stagePlane(x + f32s((n * g.C + c) * HW), g.H, g.W, pb, Wp, g.PH, g.PW);
      const vc = v + f32s(c * LD + (r - r0) * TW);
      for (let th = th0; th < th1; th++) inputRow(pb, Wp, th, TW, vc + f32s((th - th0) * TW), kStride, e);
    }
    r += th1 - th0;
  }
}

// @ts-ignore: decorator
@inline function act4(act: i32, v: v128): v128 {
  return act == ACT_TANH ? tanh4(v) : act == ACT_RELU ? relu4(v) : v;
}

/** y tiles of the block (rows [r0, r0 + rows) of tiles) from M (16, OC, ld): A^T m A, bias, act. */
function outputTransform(g: Geometry, m: usize, r0: i32, rows: i32, bias: usize, y: usize, act: i32, e: usize): void {
  const kStride = f32s(g.OC * LD);
  const P = g.OH * g.OW;
  for (let o = 0; o < g.OC; o++) {
    const b = f32x4.splat(bias ? load<f32>(bias + f32s(o)) : 0);
    for (let rr = 0; rr < rows; rr++) {
      const r = r0 + rr, n = r / TH, th = r - n * TH;
      const plane = y + f32s((n * g.OC + o) * P);
      const oh = 2 * th;
      for (let tw = 0; tw < TW; tw += 4) {
        const src = m + f32s(o * LD + rr * TW + tw);
        // m A along each row i: f_i0 = m_i0 + m_i1 + m_i2, f_i1 = m_i1 - m_i2 - m_i3
        for (let i = 0; i < 4; i++) {
          const m0 = v128.load(src + kStride * <usize>(4 * i)), m1 = v128.load(src + kStride * <usize>(4 * i + 1));
          const m2 = v128.load(src + kStride * <usize>(4 * i + 2)), m3 = v128.load(src + kStride * <usize>(4 * i + 3));
          v128.store(e + (<usize>i << 5), f32x4.add(f32x4.add(m0, m1), m2));
          v128.store(e + (<usize>i << 5), f32x4.sub(f32x4.sub(m1, m2), m3), 16);
        }
        const ow = 2 * tw, n8 = min(8, g.OW - ow);
        for (let j = 0; j < 2; j++) {
          // A^T along the column: row 0 = f0 + f1 + f2, row 1 = f1 - f2 - f3
          const f0 = v128.load(e + (<usize>j << 4)), f1 = v128.load(e + (<usize>j << 4), 32);
          const f2 = v128.load(e + (<usize>j << 4), 64), f3 = v128.load(e + (<usize>j << 4), 96);
          v128.store(e + 128 + (<usize>j << 4), act4(act, f32x4.add(f32x4.add(f32x4.add(f0, f1), f2), b)));
          v128.store(e + 160 + (<usize>j << 4), act4(act, f32x4.add(f32x4.sub(f32x4.sub(f1, f2), f3), b)));
        }
        for (let i = 0; i < 2; i++) {
          if (oh + i >= g.OH) break;
          const lo = v128.load(e + 128 + (<usize>i << 5)), hi = v128.load(e + 144 + (<usize>i << 5));
          const dst = plane + f32s((oh + i) * g.OW + ow);
          if (n8 == 8) {
            v128.store(dst, v128.shuffle<f32>(lo, hi, 0, 4, 1, 5));
            v128.store(dst, v128.shuffle<f32>(lo, hi, 2, 6, 3, 7), 16);
          } else {
            // the row's last tiles: lane l holds columns ow + 2l (lo) and ow + 2l + 1 (hi)
            const q = e + 192;
            v128.store(q, v128.shuffle<f32>(lo, hi, 0, 4, 1, 5));
            v128.store(q, v128.shuffle<f32>(lo, hi, 2, 6, 3, 7), 16);
            for (let s = 0; s < n8; s++) store<f32>(dst + f32s(s), load<f32>(q + f32s(s)));
          }
        }
      }
    }
  }
}

/**
 * y (N, OC, OH, OW) = x (N, C, H, W) correlated with the kernels whose transform is u (16, OC, C),
 * plus bias (0: none), act applied (ACT_*). `flipped`: u is the transform of kernels (C, OC, 3, 3)
 * (geometry's C and OC are this call's input and output channels), used turned and transposed:
 * the input gradient (see the top). scratch: winogradScratch(geo) floats.
 */
export function winogradForward(geo: usize, x: usize, u: usize, bias: usize, y: usize, scratch: usize, act: i32, flipped: bool): void {
  const g = changetype<Geometry>(geo);
  makePlan(g);
  const v = scratch, m = v + f32s(16 * g.C * LD), pb = m + f32s(16 * g.OC * LD);
  const e = (pb + f32s(Hp * Wp) + 15) & ~(<usize>15);
  memory.fill(pb, 0, f32s(Hp * Wp));
  const ld = LD;
  const rowsAll = g.N * TH;
  for (let r0 = 0; r0 < rowsAll; r0 += R) {
    const rows = min(R, rowsAll - r0), cols = rows * TW;
    inputTransform(g, x, r0, rows, v, pb, e);
    for (let k = 0; k < 16; k++) {
      const vk = v + f32s(k * g.C * ld), mk = m + f32s(k * g.OC * ld);
      if (flipped) gemm(true, false, g.OC, cols, g.C, u + f32s(flipIndex(k) * g.OC * g.C), g.OC, vk, ld, mk, ld, false);
      else gemm(false, false, g.OC, cols, g.C, u + f32s(k * g.OC * g.C), g.C, vk, ld, mk, ld, false);
    }
    outputTransform(g, m, r0, rows, bias, y, act, e);
  }
}

/**
 * Z[k][o - o0][col ...] = (A dY A^T)[k] for output channels [o0, o1) of the block's tiles, from dy
 * (N, OC, OH, OW) through the zero-padded plane buffer db (OH x OW at its corner, Wp a row).
 * A = [1 0; 1 1; 1 -1; 0 -1]: a tile [a b; c d] becomes rows [a, b], [a+c, b+d], [a-c, b-d], [-c, -d],
 * each row [p, q] then [p, p+q, p-q, -q].
 */
function gradientTransform(g: Geometry, dy: usize, r0: i32, rows: i32, o0: i32, o1: i32, z: usize, db: usize): void {
  const kStride = f32s((o1 - o0) * LD);
  const P = g.OH * g.OW;
  let r = r0;
  while (r < r0 + rows) {
    const n = r / TH, th0 = r - n * TH;
    const th1 = min(TH, th0 + r0 + rows - r);
    for (let o = o0; o < o1; o++) {
      stagePlane(dy + f32s((n * g.OC + o) * P), g.OH, g.OW, db, Wp, 0, 0);
      for (let th = th0; th < th1; th++) {
        const out = z + f32s((o - o0) * LD + (r - r0 + th - th0) * TW);
        for (let tw = 0; tw < TW; tw += 4) {
          const q = db + f32s(2 * th * Wp + 2 * tw);
          const u0 = v128.load(q), u1 = v128.load(q, 16);
          const w0 = v128.load(q + f32s(Wp)), w1 = v128.load(q + f32s(Wp), 16);
          const a = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
          const c = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6), d = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
          const dst = out + f32s(tw);
          gradientRow(dst, kStride, 0, a, b);
          gradientRow(dst, kStride, 4, f32x4.add(a, c), f32x4.add(b, d));
          gradientRow(dst, kStride, 8, f32x4.sub(a, c), f32x4.sub(b, d));
          gradientRow(dst, kStride, 12, f32x4.neg(c), f32x4.neg(d));
        }
      }
    }
    r += th1 - th0;
  }
}

// @ts-ignore: decorator
@inline function gradientRow(dst: usize, kStride: usize, k: i32, p: v128, q: v128): void {
  v128.store(dst + kStride * <usize>k, p);
  v128.store(dst + kStride * <usize>(k + 1), f32x4.add(p, q));
  v128.store(dst + kStride * <usize>(k + 2), f32x4.sub(p, q));
  v128.store(dst + kStride * <usize>(k + 3), f32x4.neg(q));
}

/**
 * dU rows [o0, o1) of s (16, OC, C) = sum over all tiles of Z V^T, then dw rows [o0, o1) of
 * (OC, C, 3, 3) = G^T dU G. Threads split the output channels: each element's sum runs over the
 * tiles in the same order whatever the split. scratch: winogradScratch(geo) floats.
 */
export function winogradBackwardWeight(geo: usize, x: usize, dy: usize, s: usize, dw: usize, scratch: usize, o0: i32, o1: i32): void {
  const g = changetype<Geometry>(geo);
  makePlan(g);
  const OCp = o1 - o0, ld = LD;
  const v = scratch, z = v + f32s(16 * g.C * ld), pb = z + f32s(16 * g.OC * ld), db = pb + f32s(Hp * Wp);
  const e = (db + f32s(Hp * Wp) + 15) & ~(<usize>15);
  memory.fill(pb, 0, f32s(2 * Hp * Wp));
  const rowsAll = g.N * TH;
  for (let k = 0; k < 16; k++) for (let o = o0; o < o1; o++) memory.fill(s + f32s((k * g.OC + o) * g.C), 0, f32s(g.C));
  for (let r0 = 0; r0 < rowsAll; r0 += R) {
    const rows = min(R, rowsAll - r0), cols = rows * TW;
    inputTransform(g, x, r0, rows, v, pb, e);
    gradientTransform(g, dy, r0, rows, o0, o1, z, db);
    for (let k = 0; k < 16; k++)
      gemm(false, true, OCp, g.C, cols, z + f32s(k * OCp * ld), ld, v + f32s(k * g.C * ld), ld, s + f32s((k * g.OC + o0) * g.C), g.C, true);
  }
  const plane = f32s(g.OC * g.C);
  for (let o = o0; o < o1; o++)
    for (let c = 0; c < g.C; c++) {
      const src = s + f32s(o * g.C + c), out = dw + f32s((o * g.C + c) * 9);
      // t = G^T S (3 rows of 4): [s0 + (s1 + s2)/2, (s1 - s2)/2, (s1 + s2)/2 + s3] (s_i rows),
      // then each row [a, b, c, d] times G: [a + (b + c)/2, (b - c)/2, (b + c)/2 + d].
      for (let j = 0; j < 4; j++) {
        const s0 = load<f32>(src + plane * <usize>j), s1 = load<f32>(src + plane * <usize>(4 + j));
        const s2 = load<f32>(src + plane * <usize>(8 + j)), s3 = load<f32>(src + plane * <usize>(12 + j));
        const h: f32 = 0.5 * (s1 + s2);
        store<f32>(e + f32s(j), s0 + h);
        store<f32>(e + f32s(4 + j), 0.5 * (s1 - s2));
        store<f32>(e + f32s(8 + j), h + s3);
      }
      for (let i = 0; i < 3; i++) {
        const a = load<f32>(e + f32s(4 * i)), b = load<f32>(e + f32s(4 * i + 1));
        const c2 = load<f32>(e + f32s(4 * i + 2)), d = load<f32>(e + f32s(4 * i + 3));
        const h: f32 = 0.5 * (b + c2);
        store<f32>(out + f32s(3 * i), a + h);
        store<f32>(out + f32s(3 * i + 1), 0.5 * (b - c2));
        store<f32>(out + f32s(3 * i + 2), h + d);
      }
    }
}
