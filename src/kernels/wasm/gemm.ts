// GEMM through the WebAssembly module, same contract as src/kernels/ref/gemm.ts.
// Float64 operands (gradient checks) go to the reference kernel, which stays exact.
// Threads take blocks of columns of C (of rows when C is narrow): every element is summed in
// the same order either way, so any thread count gives the same bits.

import { gemm as refGemm, type GemmArgs } from "../ref/gemm.js";
import { ranges, type WasmContext } from "./context.js";

/** Multiply-adds per thread below which another thread costs more than it saves. */
export const GEMM_WORK_PER_THREAD = 1 << 18;

export function makeGemm(ctx: WasmContext): (args: GemmArgs) => void {
  const { arena } = ctx;
  return (args) => {
    const { A, B, C, M, N, K, transA, transB } = args;
    if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return refGemm(args);
    const threads = ctx.threads(M * N * K, GEMM_WORK_PER_THREAD);
    const co = args.cOffset ?? 0;
    arena.reset();
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
    // Column blocks (of at least 32, on 8-column panel edges) where C is wide enough, else rows.
    const parts = N >= 32 * threads
      ? ranges(N, threads, 8).map(([j0, j1]) => part(0, M, j0, j1))
      : ranges(M, threads).map(([i0, i1]) => part(i0, i1, 0, N));
    ctx.run("gemm", parts);
    arena.get(c, M * N, C, co);
  };
}
