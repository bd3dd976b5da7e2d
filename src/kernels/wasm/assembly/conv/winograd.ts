// Winograd minimal filtering F(m x m, 3x3) for stride-1, undilated, ungrouped 3x3 convolutions,
// m = 2 (winograd-f2.ts) or 4 (winograd-f4.ts): each m x m block of outputs (a tile) of each output
// channel comes from the (m+2) x (m+2) input patch under it with (m+2)^2 products per input
// channel instead of 9 m^2 (2.25x fewer for m = 2, 4x for m = 4).
//   x is (N, C, H, W), w is (OC, C, 3, 3), y is (N, OC, OH, OW); tiles TH x TW = ceil(OH/m) x ceil(OW/m);
//   a = (m+2)^2 transform positions k.
//   U[k][o][c] = (G g G^T)[k]           the weights, a matrices (OC, C)        winogradWeights
//   V[k][c][t] = (B^T d B)[k]           the input patch d of tile t            inputGroup*
//   M[k][o][t] = sum_c U[k][o][c] V[k][c][t]                                   a GEMMs
//   y tile     = A^T M[.][o][t] A (+ bias, activation)                         outputGroup*
// The input gradient is the same computation: dx is dy, padded by 2 - P, correlated with each
// kernel turned by 180 degrees and its two channel axes swapped (winogradWeights with `flip`).
// The weight gradient is the adjoint: dU[k][o][c] = sum_t Z[k][o][t] V[k][c][t] with Z = A dY A^T,
// then dw = G^T dU G.
// Two ways to lay each product out: tiles as columns, M[k] (OC, tiles) = U[k] V[k], where the GEMM
// packs U[k] for every block (16 bytes a weight, see ../gemm/gemm.ts), which pays when a block has many
// tiles; or tiles as rows, M[k]^T (tiles, OC) = V[k]^T U[k]^T with U^T packed once per call
// (winogradPackWeights): deep layers with few tiles (ResNet's 512 channels on 3x3, one 4x4 tile an
// image) would repack a weight for every handful of products. The output transform then takes
// four output channels of a tile in the lanes instead of four tiles of a channel.
// Tiles go through in blocks of whole tile rows (R rows of TW tiles: a block's columns); each
// block's V and M sit in the thread's scratch with a row stride of Tb + 4 floats: a vector of
// four tiles may run past a tile row's end into the next one, which is written after it, or into
// the 4 floats of slack. Every value depends on its own tile only, whatever the blocking, so any
// split of the images across threads gives the same bits.
// NOTE: the patches come from a zero-padded copy of each input plane (the plane buffer, zeroed
// once per call: only its interior is rewritten), so every tile reads whole rows.

import { gemm, gemmPackedB, packB, packedBFloats } from "../gemm/gemm";
import { Geometry } from "../common/geometry";
import { f32s } from "../common/mem";
import { gradientGroup2, inputGroup2, outputGroup2, weightGradient2, weights2 } from "./winograd-f2";
import { gradientGroup4, inputGroup4, outputGroup4, weightGradient4, weights4 } from "./winograd-f4";

// The plan for the current geometry and tile size (makePlan): tile side MT and transform positions
// A2 = (MT+2)^2; tiles TH x TW; R tile rows per block, of row stride LD = R * TW + 4 in the block
// matrices; the plane buffer's rows Hp and row length Wp (room for the last vector group's loads).
// NOTE: plain globals, never an object: each thread's instance has its own globals, while an
// object would live in the shared memory, at the same address for every instance.
let MT = 2, A2 = 16, TH = 0, TW = 0, R = 0, LD = 0, Hp = 0, Wp = 0;

/** The most floats of V and M together per block (4 MiB): blocks stay in the outer caches. */
const BLOCK_FLOATS = 1 << 20;
/**
 * The weight gradient's least tiles a block (memory permitting it, past BLOCK_FLOATS): each of its
 * blocks adds into the whole (a, OC, C) sum, so a block must hold many tiles.
 * NOTE: measured on this machine, ms for ResNet's 512 channels on 3x3 at batch 128, 2 threads:
 * 28 tiles of 4x4 a block 153 (a busy stretch), 113 tiles 69-80, im2col + GEMM 92; a 4x larger
 * block for every layer made 64 channels on 24x24 slower (batch 32: 11.3-15.7 against 10.6-12.6).
 */
const WEIGHT_MIN_TILES = 128;
/** Bytes of vector scratch for the transforms (winograd-f4.ts outputGroup4's 44 vectors, at most). */
const VECTOR_SCRATCH = 768;

function makePlan(g: Geometry, m: i32, weight: bool = false): void {
  MT = m;
  A2 = (m + 2) * (m + 2);
  TH = (g.OH + m - 1) / m;
  TW = (g.OW + m - 1) / m;
  const want = max(weight ? WEIGHT_MIN_TILES : 8, min(1024, BLOCK_FLOATS / (A2 * (g.C + g.OC))));
  R = max(1, min(want / TW, TH * g.N));
  LD = R * TW + 4;
  Hp = m * TH + 2;
  Wp = m * 4 * ((TW + 3) >> 2) + 4;
}

/** Floats of one thread's scratch for winogradForward, or with `weight` winogradBackwardWeight, with geometry geo. */
export function winogradScratch(geo: usize, m: i32, weight: bool): i32 {
  const g = changetype<Geometry>(geo);
  makePlan(g, m, weight);
  return A2 * (g.C + g.OC) * LD + 2 * Hp * Wp + (VECTOR_SCRATCH >> 2) + 4 + g.OC + 8;
}

/** Tiles per block of the weight gradient with geometry geo: each block's products add into the whole (a, OC, C). */
export function winogradBlockTiles(geo: usize, m: i32): i32 {
  makePlan(changetype<Geometry>(geo), m, true);
  return R * TW;
}

/** Whether the forward with geometry geo takes the tiles as rows (needs winogradPackWeights' up). */
export function winogradTilesAsRows(geo: usize, m: i32): bool {
  const g = changetype<Geometry>(geo);
  makePlan(g, m);
  return g.OC > R * TW;
}

/** Floats of winogradPackWeights' packed transform for C input and OC output channels. */
export function winogradPackedFloats(OC: i32, C: i32, m: i32): i32 {
  return (m + 2) * (m + 2) * packedBFloats(C, OC);
}

/** up[k] = u[k]^T (C, OC) packed for gemmPackedB, k in [k0, k1) of u (a, OC, C). */
export function winogradPackWeights(u: usize, up: usize, OC: i32, C: i32, k0: i32, k1: i32): void {
  for (let k = k0; k < k1; k++) packB(true, C, OC, u + f32s(k * OC * C), C, up + f32s(k * packedBFloats(C, OC)));
}

/**
 * u (a, OC, C) from w (OC, C, 3, 3) for output channels [o0, o1): u[k][o][c] = (G w[o][c] G^T)[k];
 * with `flip`, u (a, C, OC) of the input gradient's kernels: u[k][c][o] from w[o][c] turned by
 * 180 degrees. e: 36 floats of scratch.
 */
export function winogradWeights(w: usize, u: usize, OC: i32, C: i32, o0: i32, o1: i32, flip: bool, m: i32, e: usize): void {
  const plane = f32s(OC * C);
  // NOTE: flipped, channel c outer and o inner, so that the writes (at c * OC + o) go in order
  if (flip) {
    for (let c = 0; c < C; c++) for (let o = o0; o < o1; o++) transformKernel(w + f32s((o * C + c) * 9), true, u + f32s(c * OC + o), plane, m, e);
  } else {
    for (let o = o0; o < o1; o++) for (let c = 0; c < C; c++) transformKernel(w + f32s((o * C + c) * 9), false, u + f32s(o * C + c), plane, m, e);
  }
}

/** The transform of the 3x3 kernel at src (turned by 180 degrees with flip) to out[k * plane]. */
// @ts-ignore: decorator
@inline function transformKernel(src: usize, flip: bool, out: usize, plane: usize, m: i32, e: usize): void {
  const g = e + 96;
  for (let q = 0; q < 9; q++) store<f32>(g + f32s(q), load<f32>(src + f32s(flip ? 8 - q : q)));
  if (m == 4) weights4(g, out, plane, e);
  else weights2(g, out, plane);
}

/** Copies plane x (H, W) into the plane buffer at row PH, column PW (the rest stays zero). */
// @ts-ignore: decorator
@inline function stagePlane(x: usize, H: i32, W: i32, pb: usize, PH: i32, PW: i32): void {
  for (let h = 0; h < H; h++) {
    const src = x + f32s(h * W), dst = pb + f32s((h + PH) * Wp + PW);
    let i = 0;
    for (; i + 4 <= W; i += 4) v128.store(dst + f32s(i), v128.load(src + f32s(i)));
    for (; i < W; i++) store<f32>(dst + f32s(i), load<f32>(src + f32s(i)));
  }
}

/**
 * Calls visit(n, th0, th1, col) for each image's run of tile rows [th0, th1) in the block of
 * `rows` tile rows from global tile row r0 (n = r0 / TH), `col` its first column in the block.
 */
// @ts-ignore: decorator
@inline function forEachImage(r0: i32, rows: i32, visit: (n: i32, th0: i32, th1: i32, col: i32) => void): void {
  let r = r0;
  while (r < r0 + rows) {
    const n = r / TH, th0 = r - n * TH;
    const th1 = min(TH, th0 + r0 + rows - r);
    visit(n, th0, th1, (r - r0) * TW);
    r += th1 - th0;
  }
}

// The current call's operands, for the visitors (closures cannot capture locals here).
let gC = 0, gH = 0, gW = 0, gPH = 0, gPW = 0, gOC = 0, gOH = 0, gOW = 0;
let src: usize = 0, dst: usize = 0, pbuf: usize = 0, vec: usize = 0, kStride: usize = 0, o0_: i32 = 0, o1_: i32 = 0;

/** V (a, C, LD) of the block's tiles from x (N, C, H, W). */
function inputImage(n: i32, th0: i32, th1: i32, col: i32): void {
  for (let c = 0; c < gC; c++) {
    stagePlane(src + f32s((n * gC + c) * gH * gW), gH, gW, pbuf, gPH, gPW);
    for (let th = th0; th < th1; th++) {
      const out = dst + f32s(c * LD + col + (th - th0) * TW);
      for (let tw = 0; tw < TW; tw += 4) {
        const p = pbuf + f32s(MT * (th * Wp + tw));
        if (MT == 4) inputGroup4(p, Wp, out + f32s(tw), kStride, vec);
        else inputGroup2(p, Wp, out + f32s(tw), kStride, vec);
      }
    }
  }
}

/** Z (a, o1 - o0, LD) of the block's tiles from dy (N, OC, OH, OW), output channels [o0, o1). */
function gradientImage(n: i32, th0: i32, th1: i32, col: i32): void {
  for (let o = o0_; o < o1_; o++) {
    stagePlane(src + f32s((n * gOC + o) * gOH * gOW), gOH, gOW, pbuf, 0, 0);
    for (let th = th0; th < th1; th++) {
      const out = dst + f32s((o - o0_) * LD + col + (th - th0) * TW);
      for (let tw = 0; tw < TW; tw += 4) {
        const q = pbuf + f32s(MT * (th * Wp + tw));
        if (MT == 4) gradientGroup4(q, Wp, out + f32s(tw), kStride, vec);
        else gradientGroup2(q, Wp, out + f32s(tw), kStride);
      }
    }
  }
}

let bias_: usize = 0, act_: i32 = 0;

/** y's tiles of the block from M (a, OC, LD): A^T m A, bias, activation. */
function outputImage(n: i32, th0: i32, th1: i32, col: i32): void {
  const P = gOH * gOW;
  for (let o = 0; o < gOC; o++) {
    const b = bias_ + f32s(o);
    const plane = dst + f32s((n * gOC + o) * P);
    for (let th = th0; th < th1; th++) {
      const oh = MT * th, rows = min(MT, gOH - oh);
      const m = src + f32s(o * LD + col + (th - th0) * TW);
      for (let tw = 0; tw < TW; tw += 4) {
        const ow = MT * tw, cols = min(4 * MT, gOW - ow), out = plane + f32s(oh * gOW + ow);
        if (MT == 4) outputGroup4(m + f32s(tw), kStride, b, false, act_, out, gOW, rows, 16, 4, cols, 4, vec);
        else outputGroup2(m + f32s(tw), kStride, b, false, act_, out, gOW, rows, 8, 4, cols, 2, vec);
      }
    }
  }
}

/** y's tiles of the block from M^T (a, tiles, OC): four output channels of a tile at a time. */
function outputImageRows(n: i32, th0: i32, th1: i32, col: i32): void {
  const P = gOH * gOW;
  for (let th = th0; th < th1; th++) {
    const oh = MT * th, rows = min(MT, gOH - oh);
    for (let tw = 0; tw < TW; tw++) {
      const t = col + (th - th0) * TW + tw, ow = MT * tw, cols = min(MT, gOW - ow);
      for (let o = 0; o < gOC; o += 4) {
        const m = src + f32s(t * gOC + o), out = dst + f32s(((n * gOC + o) * gOH + oh) * gOW + ow);
        const lanes = min(4, gOC - o);
        if (MT == 4) outputGroup4(m, kStride, bias_ + f32s(o), true, act_, out, gOW, rows, f32s(P), lanes, cols, 0, vec);
        else outputGroup2(m, kStride, bias_ + f32s(o), true, act_, out, gOW, rows, f32s(P), lanes, cols, 0, vec);
      }
    }
  }
}

function setGeometry(g: Geometry): void {
  gC = g.C; gH = g.H; gW = g.W; gPH = g.PH; gPW = g.PW; gOC = g.OC; gOH = g.OH; gOW = g.OW;
}

/**
 * y (N, OC, OH, OW) = x (N, C, H, W) correlated with the kernels whose transform is u (a, OC, C),
 * plus bias (0: none), act applied (ACT_*). up: u packed by winogradPackWeights where
 * winogradTilesAsRows says so, else 0. scratch: winogradScratch(geo, m) floats.
 */
export function winogradForward(geo: usize, x: usize, u: usize, up: usize, bias: usize, y: usize, scratch: usize, act: i32, m: i32): void {
  const g = changetype<Geometry>(geo);
  makePlan(g, m);
  setGeometry(g);
  const v = scratch, mm = v + f32s(A2 * g.C * LD), pb = mm + f32s(A2 * g.OC * LD);
  const biases = pb + f32s(2 * Hp * Wp);
  vec = (biases + f32s(g.OC + 4) + 15) & ~(<usize>15);
  pbuf = pb;
  memory.fill(pb, 0, f32s(Hp * Wp));
  // the biases, zero-padded to whole vectors of four (zeros without)
  memory.fill(biases, 0, f32s(g.OC + 4));
  if (bias) memory.copy(biases, bias, f32s(g.OC));
  bias_ = biases;
  act_ = act;
  const rowsAll = g.N * TH, Tb = R * TW, packed = packedBFloats(g.C, g.OC);
  for (let r0 = 0; r0 < rowsAll; r0 += R) {
    const rows = min(R, rowsAll - r0), cols = rows * TW;
    src = x; dst = v; kStride = f32s(g.C * LD);
    forEachImage(r0, rows, inputImage);
    if (up) {
      for (let k = 0; k < A2; k++)
        gemmPackedB(true, cols, g.OC, g.C, v + f32s(k * g.C * LD), LD, up + f32s(k * packed), mm + f32s(k * Tb * g.OC), g.OC, false);
      src = mm; dst = y; kStride = f32s(Tb * g.OC);
      forEachImage(r0, rows, outputImageRows);
    } else {
      for (let k = 0; k < A2; k++)
        gemm(false, false, g.OC, cols, g.C, u + f32s(k * g.OC * g.C), g.C, v + f32s(k * g.C * LD), LD, mm + f32s(k * g.OC * LD), LD, false);
      src = mm; dst = y; kStride = f32s(g.OC * LD);
      forEachImage(r0, rows, outputImage);
    }
  }
}

/**
 * dU rows [o0, o1) of s (a, OC, C) = sum over all tiles of Z V^T, then dw rows [o0, o1) of
 * (OC, C, 3, 3) = G^T dU G. Threads split the output channels: each element's sum runs over the
 * tiles in the same order whatever the split. scratch: winogradScratch(geo, m) floats.
 */
export function winogradBackwardWeight(geo: usize, x: usize, dy: usize, s: usize, dw: usize, scratch: usize, o0: i32, o1: i32, m: i32): void {
  const g = changetype<Geometry>(geo);
  makePlan(g, m, true);
  setGeometry(g);
  const OCp = o1 - o0;
  const v = scratch, z = v + f32s(A2 * g.C * LD), pb = z + f32s(A2 * g.OC * LD), db = pb + f32s(Hp * Wp);
  vec = (db + f32s(Hp * Wp) + 15) & ~(<usize>15);
  memory.fill(pb, 0, f32s(2 * Hp * Wp));
  o0_ = o0;
  o1_ = o1;
  for (let k = 0; k < A2; k++) for (let o = o0; o < o1; o++) memory.fill(s + f32s((k * g.OC + o) * g.C), 0, f32s(g.C));
  const rowsAll = g.N * TH;
  for (let r0 = 0; r0 < rowsAll; r0 += R) {
    const rows = min(R, rowsAll - r0), cols = rows * TW;
    src = x; dst = v; pbuf = pb; kStride = f32s(g.C * LD);
    forEachImage(r0, rows, inputImage);
    src = dy; dst = z; pbuf = db; kStride = f32s(OCp * LD);
    forEachImage(r0, rows, gradientImage);
    for (let k = 0; k < A2; k++)
      gemm(false, true, OCp, g.C, cols, z + f32s(k * OCp * LD), LD, v + f32s(k * g.C * LD), LD, s + f32s((k * g.OC + o0) * g.C), g.C, true);
  }
  const plane = f32s(g.OC * g.C);
  for (let o = o0; o < o1; o++)
    for (let c = 0; c < g.C; c++) {
      const at = s + f32s(o * g.C + c), out = dw + f32s((o * g.C + c) * 9);
      if (m == 4) weightGradient4(at, plane, out, vec);
      else weightGradient2(at, plane, out, vec);
    }
}
