// 2-D convolution kernels over a whole batch, by im2col + GEMM one image and group at a time
// (the column buffer stays small and in cache).
//   x is (N, C, H, W), w is (OC, C/groups, KH, KW), y and dy are (N, OC, OH, OW).
// Per image n and group g:  y[n, g] = w[g] (OCg, Cg*KH*KW) @ cols (Cg*KH*KW, OH*OW);
// dw[g] += dy[n, g] @ cols^T;  dcols = w[g]^T @ dy[n, g], then col2im into dx.
// All three overwrite their output; the forward adds the bias (OC) when given.

import { alloc, type Storage } from "../../core/dtype.js";
import { activate, type Activation } from "./elementwise.js";
import { gemm } from "./gemm.js";
import { col2im, im2col, type ConvGeometry } from "./im2col.js";

/** A convolution over a batch: g.C is all input channels, split into `groups`. */
export interface Conv2dDims extends ConvGeometry {
  N: number;
  OC: number;
  groups: number;
}

/** Per-group sizes: the one-group geometry gg, OCg output channels, KK = Cg*KH*KW, P = OH*OW. */
function sizes(d: Conv2dDims) {
  const Cg = d.C / d.groups;
  return { gg: { ...d, C: Cg } as ConvGeometry, OCg: d.OC / d.groups, KK: Cg * d.KH * d.KW, P: d.OH * d.OW };
}

/** Scratch as wide as the widest operand (mixed float32/float64 computes in float64). */
function scratch(n: number, ...operands: Storage[]): Storage {
  return alloc(operands.some((a) => a instanceof Float64Array) ? "float64" : "float32", n);
}

/** Calls visit with the offsets of x, y and w for every (image, group) pair. */
function groupWalk(d: Conv2dDims, visit: (xo: number, yo: number, wo: number) => void): void {
  const { OCg, KK, P } = sizes(d);
  const Cg = d.C / d.groups;
  for (let n = 0; n < d.N; n++)
    for (let gi = 0; gi < d.groups; gi++) visit((n * d.C + gi * Cg) * d.H * d.W, (n * d.OC + gi * OCg) * P, gi * OCg * KK);
}

/** act: an activation applied to the result (ops/fused.ts). */
export function conv2dForward(d: Conv2dDims, x: Storage, w: Storage, bias: Storage | null, y: Storage, act?: Activation): void {
  const { gg, OCg, KK, P } = sizes(d);
  const cols = scratch(KK * P, x, w, y);
  // Each output plane starts from its bias; the GEMM then accumulates onto it.
  if (bias) for (let n = 0; n < d.N; n++) for (let o = 0; o < d.OC; o++) y.fill(bias[o], (n * d.OC + o) * P, (n * d.OC + o + 1) * P);
  groupWalk(d, (xo, yo, wo) => {
    im2col(gg, x, xo, cols);
    gemm({ transA: false, transB: false, M: OCg, N: P, K: KK, A: w, aOffset: wo, B: cols, C: y, cOffset: yo, accumulate: !!bias });
  });
  if (act) activate(y, act);
}

export function conv2dBackwardInput(d: Conv2dDims, dy: Storage, w: Storage, dx: Storage): void {
  const { gg, OCg, KK, P } = sizes(d);
  const dcols = scratch(KK * P, dy, w, dx);
  dx.fill(0);
  groupWalk(d, (xo, yo, wo) => {
    gemm({ transA: true, transB: false, M: KK, N: P, K: OCg, A: w, aOffset: wo, B: dy, bOffset: yo, C: dcols });
    col2im(gg, dcols, dx, xo);
  });
}

/** dw, and db too when given (one pass over dy for both: see ops/conv.ts). */
export function conv2dBackwardWeight(d: Conv2dDims, x: Storage, dy: Storage, dw: Storage, db: Storage | null = null): void {
  if (db) conv2dBackwardBias(d, dy, db);
  const { gg, OCg, KK, P } = sizes(d);
  const cols = scratch(KK * P, x, dy, dw);
  dw.fill(0);
  groupWalk(d, (xo, yo, wo) => {
    im2col(gg, x, xo, cols);
    gemm({ transA: false, transB: true, M: OCg, N: KK, K: P, A: dy, aOffset: yo, B: cols, C: dw, cOffset: wo, accumulate: true });
  });
}

/**
 * db[o] = the sum of dy (N, OC, OH, OW) over images and positions: per image a float64 sum
 * (planeSum), added into db in the storage's precision.
 */
export function conv2dBackwardBias(d: Conv2dDims, dy: Storage, db: Storage): void {
  const P = d.OH * d.OW;
  db.fill(0);
  for (let n = 0; n < d.N; n++) for (let o = 0; o < d.OC; o++) db[o] += planeSum(dy, (n * d.OC + o) * P, P);
}

/**
 * a[base, base + P) summed in float64 as eight interleaved partial sums (position p goes to sum
 * p mod 8), combined ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)).
 * NOTE: that order, not one running sum, because the WebAssembly kernel must reproduce it and a
 * single chain of dependent float64 additions ran at one add per ~4 cycles there (0.35 ms for
 * LeNet C1's 470,400 values, a third of its weight gradient); eight sums are four f64x2 vectors.
 */
export function planeSum(a: Storage, base: number, P: number): number {
  const s = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let p = 0; p < P; p++) s[p & 7] += a[base + p];
  return s[0] + s[1] + (s[2] + s[3]) + (s[4] + s[5] + (s[6] + s[7]));
}
