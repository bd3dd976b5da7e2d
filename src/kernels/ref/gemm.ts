// GEMM reference kernel in plain TypeScript: C (+)= op(A) · op(B), row-major.
//   op(A) is (M, K): A is stored (M, K), or (K, M) when transA.
//   op(B) is (K, N): B is stored (K, N), or (N, K) when transB.
// Offsets let callers multiply slices of larger buffers (one image of a batch) without copies.
// NOTE: loops are ordered so that the innermost one walks contiguous memory, and four rows of C
// are updated per pass over a row of B, which roughly halves the loads per multiply-add.
// Summation order, which fixes the result's bits:
//   - transB (gemmNT): each C[i, j] is a dot product summed in two partial sums, even p and odd
//     p, each in increasing p, then added (s0 + s1), then added to C.
//   - otherwise: C[i, j] += A(i, p) * B(p, j) for p = 0, 1, ..., stored (rounded to C's type)
//     after each p. K = 1 (an outer product, such as a batch-1 weight gradient) is the same sum
//     with one term, written as one pass.

import type { Storage } from "../../core/dtype.js";

export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  A: Storage;
  aOffset?: number;
  B: Storage;
  bOffset?: number;
  C: Storage;
  cOffset?: number;
  /** Add into C instead of overwriting it. */
  accumulate?: boolean;
}

/** Two independent products (a backward's dx and dW): the same results as two gemm() calls. */
export function gemmPair(a: GemmArgs, b: GemmArgs): void {
  gemm(a);
  gemm(b);
}

export function gemm(args: GemmArgs): void {
  const { transA, transB, M, N, K, A, B, C } = args;
  const ao = args.aOffset ?? 0;
  const bo = args.bOffset ?? 0;
  const co = args.cOffset ?? 0;
  if (K === 1 && !transB) return outer(M, N, A, ao, B, bo, C, co, !!args.accumulate);
  if (!args.accumulate) C.fill(0, co, co + M * N);
  if (transB) {
    if (transA) gemmTT(M, N, K, A, ao, B, bo, C, co);
    else gemmNT(M, N, K, A, ao, B, bo, C, co);
  } else {
    // Strides of op(A): element (i, p) at ao + i*sai + p*sap.
    const sai = transA ? 1 : K;
    const sap = transA ? M : 1;
    gemmXN(M, N, K, A, ao, sai, sap, B, bo, C, co);
  }
}

/** C[i, :] += sum_p A(i, p) * B[p, :], four rows of C at a time. */
function gemmXN(M: number, N: number, K: number, A: Storage, ao: number, sai: number, sap: number, B: Storage, bo: number, C: Storage, co: number): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const c0 = co + i * N;
    const c1 = c0 + N;
    const c2 = c1 + N;
    const c3 = c2 + N;
    for (let p = 0; p < K; p++) {
      const a = ao + i * sai + p * sap;
      const a0 = A[a];
      const a1 = A[a + sai];
      const a2 = A[a + 2 * sai];
      const a3 = A[a + 3 * sai];
      const b = bo + p * N;
      for (let j = 0; j < N; j++) {
        const bv = B[b + j];
        C[c0 + j] += a0 * bv;
        C[c1 + j] += a1 * bv;
        C[c2 + j] += a2 * bv;
        C[c3 + j] += a3 * bv;
      }
    }
  }
  for (; i < M; i++) {
    const c0 = co + i * N;
    for (let p = 0; p < K; p++) {
      const a0 = A[ao + i * sai + p * sap];
      const b = bo + p * N;
      for (let j = 0; j < N; j++) C[c0 + j] += a0 * B[b + j];
    }
  }
}

/**
 * K = 1, C[i, j] (+)= A(i) * B(j): op(A)'s column and op(B)'s row are contiguous either way.
 * The overwriting loop is unrolled by eight (a batch-1 Linear's weight gradient: 0.98 -> 0.59 us
 * for 784 values); "+ 0" as in the other paths' 0 + a*b into a zeroed C: -0 is stored as +0.
 */
function outer(M: number, N: number, A: Storage, ao: number, B: Storage, bo: number, C: Storage, co: number, accumulate: boolean): void {
  for (let i = 0; i < M; i++) {
    const a = A[ao + i];
    const c = co + i * N;
    if (accumulate) {
      for (let j = 0; j < N; j++) C[c + j] += a * B[bo + j];
      continue;
    }
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      C[c + j] = a * B[bo + j] + 0;
      C[c + j + 1] = a * B[bo + j + 1] + 0;
      C[c + j + 2] = a * B[bo + j + 2] + 0;
      C[c + j + 3] = a * B[bo + j + 3] + 0;
      C[c + j + 4] = a * B[bo + j + 4] + 0;
      C[c + j + 5] = a * B[bo + j + 5] + 0;
      C[c + j + 6] = a * B[bo + j + 6] + 0;
      C[c + j + 7] = a * B[bo + j + 7] + 0;
    }
    for (; j < N; j++) C[c + j] = a * B[bo + j] + 0;
  }
}

/**
 * C[i, j] += dot(A[i, :], B[j, :]): both operands read along contiguous rows. Unrolled by four
 * (a batch-1 Linear's forward is one such dot product), the two partial sums in the same order.
 */
function gemmNT(M: number, N: number, K: number, A: Storage, ao: number, B: Storage, bo: number, C: Storage, co: number): void {
  for (let i = 0; i < M; i++) {
    const a = ao + i * K;
    for (let j = 0; j < N; j++) {
      const b = bo + j * K;
      let s0 = 0;
      let s1 = 0;
      let p = 0;
      for (; p + 4 <= K; p += 4) {
        s0 += A[a + p] * B[b + p];
        s1 += A[a + p + 1] * B[b + p + 1];
        s0 += A[a + p + 2] * B[b + p + 2];
        s1 += A[a + p + 3] * B[b + p + 3];
      }
      if (p + 2 <= K) {
        s0 += A[a + p] * B[b + p];
        s1 += A[a + p + 1] * B[b + p + 1];
        p += 2;
      }
      if (p < K) s0 += A[a + p] * B[b + p];
      C[co + i * N + j] += s0 + s1;
    }
  }
}

/** Both transposed: rare (not on LeNet's path); computed entry by entry. */
function gemmTT(M: number, N: number, K: number, A: Storage, ao: number, B: Storage, bo: number, C: Storage, co: number): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[ao + p * M + i] * B[bo + j * K + p];
      C[co + i * N + j] += s;
    }
}
