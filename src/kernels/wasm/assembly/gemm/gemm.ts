// AssemblyScript GEMM over raw float32 memory: C (+)= op(A) · op(B), row-major, the same
// semantics as src/kernels/ref/gemm.ts (op(A) is (M, K), op(B) is (K, N), C is (M, N)), with
// leading dimensions (the row strides, in floats, of A, B and C as stored) so that a thread can
// compute a block of rows or columns of a larger product in place.
// Goto-style blocking: a KC x NC block of op(B) and an MC x KC block of op(A) are packed, then
// a register-blocked micro-kernel (up to 4 rows x 8 columns = 8 f32x4 accumulators) walks them.
// NOTE: op(A) is packed already broadcast (each element as four copies, one f32x4), so the
// micro-kernel reads it with plain vector loads: V8 (Node 20) compiles a load32_splat with an
// offset to an extra lea + vbroadcastss, and the loop is bound by instructions issued, not by
// the FP pipes: 38.8 -> 46 GFLOP/s at 1024^3 on one thread. The packed block is 4x larger
// (480 KB at MC = 120), still well inside L2; MC 32-120 and KC 128-384 all measured within 2%.
// NOTE: 4 rows, not 6: a 6x8 block needs 12 accumulators + 2 B vectors + 1 A vector = 15 vector
// registers, all that V8 allocates on x64 (one of 16 is its scratch), and it spills; 4x8 (11)
// measured 39-41 GFLOP/s at 1024^3 on one thread against 27 for 6x8.
// NOTE: LeNet's convolutions have few rows (M = 6 or 16) and many columns (OH*OW): there the
// micro-kernel reads op(B) in place (row stride ldb) instead of packing it, since packing would
// cost as much memory traffic as the multiply itself, and rows are split 4/2/1 (six rows are a
// 4-row and a 2-row panel).
// Every element of C is summed over p in the same order whatever the blocking, so a product
// split into row or column blocks gives bit-identical results.

import { KC, MC, NC, NR, PACK_A, PACK_B, TILE, TILE_BYTES } from "../common/scratch";

/** Rows above which packing op(B) pays for itself (it is reused by every row panel). */
const PACK_B_MIN_ROWS = 16;

/** c, a, b are byte addresses of the first element of each operand's slice. */
export function gemm(transA: bool, transB: bool, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  blocked(transA, transB, M, N, K, a, lda, b, ldb, 0, c, ldc, accumulate);
}

/**
 * gemm with op(B) packed whole beforehand by packB (bp): for a B that many products share (a
 * Winograd layer's transformed kernels), packed once instead of once per product.
 */
export function gemmPackedB(transA: bool, M: i32, N: i32, K: i32, a: usize, lda: i32, bp: usize, c: usize, ldc: i32, accumulate: bool): void {
  blocked(transA, false, M, N, K, a, lda, 0, 0, bp, c, ldc, accumulate);
}

/** Floats of op(B) (K, N) packed whole by packB: N rounded up to the panels' 8 columns, per depth. */
// @ts-ignore: decorator
@inline export function packedBFloats(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) & ~(NR - 1));
}

/**
 * op(B) (K, N) packed whole to dst, as gemmPackedB reads it: per depth block of KC, the 8-column
 * panels of packBBlock one after another (panel j of the block at pc: dst + (pc * Np + j * kc) floats).
 */
export function packB(transB: bool, K: i32, N: i32, b: usize, ldb: i32, dst: usize): void {
  const Np = (N + NR - 1) & ~(NR - 1);
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    for (let j = 0; j < N; j += NR) packBPanel(transB, ldb, b, pc, kc, j, min(NR, N - j), dst + <usize>(pc * Np + j * kc) * 4);
  }
}

/** The blocked product: op(B) from b, packed here where it pays, or from packB's bp when bp != 0. */
// @ts-ignore: decorator
@inline function blocked(transA: bool, transB: bool, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, bp0: usize, c: usize, ldc: i32, accumulate: bool): void {
  if (!accumulate) {
    if (ldc == N) memory.fill(c, 0, <usize>(M * N) << 2);
    else for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>N << 2);
  }
  if (M == 0 || N == 0 || K == 0) return;
  const packB = bp0 == 0 && (transB || M > PACK_B_MIN_ROWS);
  const Np = (N + NR - 1) & ~(NR - 1);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      if (packB) packBBlock(transB, ldb, b, pc, kc, jc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packABlock(transA, lda, a, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let bp: usize;
          let ldbBytes: usize;
          if (bp0 != 0) {
            bp = bp0 + <usize>(pc * Np + (jc + jr) * kc) * 4;
            ldbBytes = NR * 4;
          } else if (packB) {
            bp = PACK_B + <usize>(jr * kc) * 4;
            ldbBytes = NR * 4;
          } else if (nr == NR) {
            bp = b + <usize>(pc * ldb + jc + jr) * 4;
            ldbBytes = <usize>ldb * 4;
          } else {
            // The last, partial column panel: packed with zero padding so the kernel reads 8.
            packBPanel(false, ldb, b, pc, kc, jc + jr, nr, PACK_B);
            bp = PACK_B;
            ldbBytes = NR * 4;
          }
          rowPanels(mc, kc, bp, ldbBytes, c + <usize>((ic * ldc) + jc + jr) * 4, ldc, nr);
        }
      }
    }
  }
}

/** The rows of one block against one column panel, 4/2/1 rows at a time. */
function rowPanels(mc: i32, kc: i32, bp: usize, ldb: usize, c: usize, ldcFloats: i32, nr: i32): void {
  const ldc = <usize>ldcFloats * 4;
  for (let ir = 0; ir < mc; ) {
    const mr = rowsFor(mc - ir);
    const ap = PACK_A + <usize>(ir * kc) * 16;
    const cp = c + <usize>ir * ldc;
    if (nr == NR) micro(mr, kc, ap, bp, ldb, cp, ldc);
    else {
      // Partial panel: compute into a zeroed 4x8 tile, then add its nr valid columns into C.
      memory.fill(TILE, 0, TILE_BYTES);
      micro(mr, kc, ap, bp, ldb, TILE, NR * 4);
      for (let r = 0; r < mr; r++)
        for (let j = 0; j < nr; j++) {
          const d = cp + <usize>r * ldc + (<usize>j << 2);
          store<f32>(d, load<f32>(d) + load<f32>(TILE + <usize>(r * NR + j) * 4));
        }
    }
    ir += mr;
  }
}

// @ts-ignore: decorator
@inline function rowsFor(rest: i32): i32 {
  return rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
}

/**
 * Packs rows [i0, i0+mc) x depth [p0, p0+kc) of op(A) as row panels of 4/2/1 rows, p-major,
 * each element broadcast to a whole f32x4 (see the NOTE at the top).
 */
function packABlock(transA: bool, lda: i32, a: usize, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  for (let ir = 0; ir < mc; ) {
    const mr = rowsFor(mc - ir);
    // op(A)(i, p) sits at a + (i*si + p*sp)*4
    const si = transA ? 1 : lda;
    const sp = transA ? lda : 1;
    for (let p = 0; p < kc; p++)
      for (let r = 0; r < mr; r++) {
        v128.store(dst, v128.load32_splat(a + <usize>((i0 + ir + r) * si + (p0 + p) * sp) * 4));
        dst += 16;
      }
    ir += mr;
  }
}

/** Packs depth [p0, p0+kc) x columns [j0, j0+nc) of op(B) as 8-column panels. */
function packBBlock(transB: bool, ldb: i32, b: usize, p0: i32, kc: i32, j0: i32, nc: i32): void {
  for (let jr = 0; jr < nc; jr += NR) packBPanel(transB, ldb, b, p0, kc, j0 + jr, min(NR, nc - jr), PACK_B + <usize>(jr * kc) * 4);
}

/** One kc x 8 panel of op(B), columns past nr zero-filled. */
function packBPanel(transB: bool, ldb: i32, b: usize, p0: i32, kc: i32, j0: i32, nr: i32, dst: usize): void {
  if (!transB && nr == NR) {
    for (let p = 0; p < kc; p++) {
      const src = b + <usize>((p0 + p) * ldb + j0) * 4;
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      dst += NR * 4;
    }
    return;
  }
  let p = 0;
  if (transB && nr == NR) {
    // op(B) columns are rows of B: transpose 4x4 blocks (4 depths x 4 columns) in registers.
    for (; p + 4 <= kc; p += 4) {
      const src = b + <usize>(j0 * ldb + p0 + p) * 4;
      transpose4(src, <usize>ldb * 4, dst);
      transpose4(src + <usize>ldb * 16, <usize>ldb * 4, dst + 16);
      dst += 4 * NR * 4;
    }
  }
  for (; p < kc; p++) {
    for (let j = 0; j < NR; j++) {
      let v: f32 = 0;
      if (j < nr) v = transB ? load<f32>(b + <usize>((j0 + j) * ldb + p0 + p) * 4) : load<f32>(b + <usize>((p0 + p) * ldb + j0 + j) * 4);
      store<f32>(dst, v);
      dst += 4;
    }
  }
}

/** Rows src, src+ld, src+2ld, src+3ld (4 floats each) become columns: dst + k*NR*4 gets lane k of each. */
// @ts-ignore: decorator
@inline function transpose4(src: usize, ld: usize, dst: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + ld), r2 = v128.load(src + 2 * ld), r3 = v128.load(src + 3 * ld);
  const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const b = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const c = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
  const d = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  v128.store(dst + NR * 4, v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  v128.store(dst + 2 * NR * 4, v128.shuffle<f32>(c, d, 0, 1, 4, 5));
  v128.store(dst + 3 * NR * 4, v128.shuffle<f32>(c, d, 2, 3, 6, 7));
}

function micro(mr: i32, kc: i32, ap: usize, bp: usize, ldb: usize, cp: usize, ldc: usize): void {
  if (mr == 4) micro4(kc, ap, bp, ldb, cp, ldc);
  else if (mr == 2) micro2(kc, ap, bp, ldb, cp, ldc);
  else micro1(kc, ap, bp, ldb, cp, ldc);
}

// @ts-ignore: decorator
@inline function fma(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function addRow(cp: usize, lo: v128, hi: v128): void {
  v128.store(cp, f32x4.add(v128.load(cp), lo));
  v128.store(cp, f32x4.add(v128.load(cp, 16), hi), 16);
}

// The micro-kernels: C[r, 0:8] += sum_p Ap[p, r] * Bp[p, 0:8] for r < MR.
// Ap is packed p-major (MR broadcast f32x4 per p); Bp rows are ldb bytes apart.
// NOTE: three hand-unrolled copies on purpose: the accumulators must be separate locals for the
// engine to keep them in registers (an array or a loop over rows would go through memory).

function micro4(kc: i32, ap: usize, bp: usize, ldb: usize, cp: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load(ap);
    c00 = fma(c00, a, b0); c01 = fma(c01, a, b1);
    a = v128.load(ap, 16);
    c10 = fma(c10, a, b0); c11 = fma(c11, a, b1);
    a = v128.load(ap, 32);
    c20 = fma(c20, a, b0); c21 = fma(c21, a, b1);
    a = v128.load(ap, 48);
    c30 = fma(c30, a, b0); c31 = fma(c31, a, b1);
    ap += 64;
    bp += ldb;
  }
  addRow(cp, c00, c01); cp += ldc;
  addRow(cp, c10, c11); cp += ldc;
  addRow(cp, c20, c21); cp += ldc;
  addRow(cp, c30, c31);
}

function micro2(kc: i32, ap: usize, bp: usize, ldb: usize, cp: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load(ap);
    c00 = fma(c00, a, b0); c01 = fma(c01, a, b1);
    a = v128.load(ap, 16);
    c10 = fma(c10, a, b0); c11 = fma(c11, a, b1);
    ap += 32;
    bp += ldb;
  }
  addRow(cp, c00, c01); cp += ldc;
  addRow(cp, c10, c11);
}

function micro1(kc: i32, ap: usize, bp: usize, ldb: usize, cp: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = c00;
  for (let p = 0; p < kc; p++) {
    const a = v128.load(ap);
    c00 = fma(c00, a, v128.load(bp));
    c01 = fma(c01, a, v128.load(bp, 16));
    ap += 16;
    bp += ldb;
  }
  addRow(cp, c00, c01);
}
