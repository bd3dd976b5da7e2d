// GEMM through the WebAssembly module, same contract as src/kernels/ref/gemm.ts.
// Float64 operands (gradient checks) go to the reference kernel, which stays exact.
// Threads take blocks of rows or of columns of C (splitsRows()): every element is summed in the
// same order either way, so any thread count gives the same bits.

import { gemm as refGemm, type GemmArgs } from "../../ref/gemm.js";
import { ranges, type WasmContext } from "../runtime/context.js";

/** Multiply-adds per thread below which another thread costs more than it saves. */
export const GEMM_WORK_PER_THREAD = 1 << 18;

const f32 = (g: GemmArgs) => g.A instanceof Float32Array && g.B instanceof Float32Array && g.C instanceof Float32Array;
const macs = (g: GemmArgs) => g.M * g.N * g.K;

/**
 * Whether a product split between threads takes blocks of rows of C (else of columns). Each part
 * packs the whole of the operand that it does not split: rows repack op(B) (4 bytes an element),
 * columns repack op(A) (16: it is packed broadcast), so rows are split where that copies less and
 * each thread still gets a few 4-row micro-kernel panels, or where C is too narrow for columns.
 * NOTE: at 2 threads, same-process A/B, rows against columns: 1024^3 +5%, 2048x512x512 +9%,
 * LeNet's F5 forward (100,120,400) +13%; columns kept for 128x1024x1024 (rows -8%) and im2col's
 * wide shapes such as 64x4096x576 (rows -19%).
 */
export function splitsRows(M: number, N: number, threads: number): boolean {
  return (4 * M >= N && M >= 8 * threads) || N < 32 * threads;
}

export function makeGemmKernels(ctx: WasmContext) {
  const { arena } = ctx;

  /**
   * Places a product's operands (after arena.reset) and returns its parts for `threads` threads,
   * and the copy-out to run after them.
   */
  const stage = (args: GemmArgs, threads: number): [number[][], () => void] => {
    const { M, N, K, transA, transB } = args;
    const [A, B, C] = [args.A as Float32Array, args.B as Float32Array, args.C as Float32Array];
    const co = args.cOffset ?? 0;
    const a = arena.put(A, args.aOffset ?? 0, M * K);
    const b = arena.put(B, args.bOffset ?? 0, K * N);
    const c = args.accumulate ? arena.inout(C, co, M * N) : arena.output(C, co, M * N);
    const [lda, ldb] = [transA ? M : K, transB ? K : N];
    const acc = +!!args.accumulate;
    // A part: rows [i0, i1) x columns [j0, j1) of C.
    const part = (i0: number, i1: number, j0: number, j1: number) => [
      +transA, +transB, i1 - i0, j1 - j0, K,
      a + 4 * i0 * (transA ? 1 : lda), lda,
      b + 4 * j0 * (transB ? ldb : 1), ldb,
      c + 4 * (i0 * N + j0), N, acc,
    ];
    const parts = splitsRows(M, N, threads)
      ? ranges(M, threads, 4).map(([i0, i1]) => part(i0, i1, 0, N))
      : ranges(N, threads, 8).map(([j0, j1]) => part(0, M, j0, j1)); // on 8-column panel edges
    return [parts, () => arena.get(c, M * N, C, co)];
  };

  const gemm = (args: GemmArgs): void => {
    if (!f32(args)) return refGemm(args);
    const threads = ctx.threads(macs(args), GEMM_WORK_PER_THREAD);
    arena.reset();
    const [parts, getC] = stage(args, threads);
    ctx.run("gemm", parts);
    getC();
  };

  return {
    gemm,
    /**
     * Two products of similar size (a linear layer's dx and dW) as the two parts of one call, one
     * whole product per thread: split, each part would pack its whole op(A) again, and small
     * products (LeNet's: M = batch 100, N and K 84-400) scale poorly when split.
     * NOTE: measured at 2 threads, best of 200 alternating calls, resident operands: LeNet's C5
     * backward (400 -> 120, batch 100) 291-408 us as two split calls, 263-360 as a pair; F6
     * (120 -> 84) 90-104 against 73-89.
     * Each product is summed in the same order as by gemm(), so the bits are the same.
     */
    gemmPair(a: GemmArgs, b: GemmArgs): void {
      const [ma, mb] = [macs(a), macs(b)];
      const balanced = Math.min(ma, mb) >= GEMM_WORK_PER_THREAD && Math.max(ma, mb) <= 2 * Math.min(ma, mb);
      if (!f32(a) || !f32(b) || !balanced || ctx.threads(ma + mb, GEMM_WORK_PER_THREAD) < 2) {
        gemm(a);
        gemm(b);
        return;
      }
      arena.reset();
      const [[pa], getA] = stage(a, 1);
      const [[pb], getB] = stage(b, 1);
      ctx.run("gemm", [pa, pb]);
      getA();
      getB();
    },
  };
}
