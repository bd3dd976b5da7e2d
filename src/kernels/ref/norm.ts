// Batch-norm reference kernels: the spec of wasm/norm/norm.ts, its fallback and test oracle, and the
// only kernels float64 runs on.
//   x, y, dy, dx are (N, C, S): channel c's values are N planes of S floats at (n*C + c)*S.
//   Per-channel arrays (mean, variance, coefficients, sums) are float64, length C.
// Statistics and sums are float64 whatever the storage. The elementwise formulas run in the
// storage's precision: for float32, the coefficients are rounded to float32 and every operation
// is rounded (Math.fround: see elementwise.ts tanhBackward), as the WebAssembly kernels compute
// them: the same bits.

import type { Storage } from "../../core/dtype.js";
import { activate, type Activation } from "./elementwise.js";

/** The (N, C, S) view of a batch-norm operand. */
export interface NormDims {
  N: number;
  C: number;
  S: number;
}

/** mean[c] and the biased variance[c], two passes (stable for large means). */
export function batchNormStats({ N, C, S }: NormDims, x: Storage, mean: Float64Array, variance: Float64Array): void {
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) s += x[i];
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        const d = x[i] - m;
        q += d * d;
      }
    }
    mean[c] = m;
    variance[c] = q / M;
  }
}

/** y = act((x - mean[c]) * scale[c] + shift[c]); y may be x. */
export function batchNormForward({ N, C, S }: NormDims, x: Storage, mean: Float64Array, scale: Float64Array, shift: Float64Array, y: Storage, act?: Activation): void {
  const f = Math.fround;
  for (let c = 0; c < C; c++) {
    if (y instanceof Float64Array) {
      const [m, k, b] = [mean[c], scale[c], shift[c]];
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) y[i] = (x[i] - m) * k + b;
    } else {
      const [m, k, b] = [f(mean[c]), f(scale[c]), f(shift[c])];
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) y[i] = f(f(x[i] - m) * k) + b;
    }
  }
  if (act) activate(y, act);
}

/** sumDy[c] = sum(dy), sumDyXmu[c] = sum(dy * (x - mean[c])). */
export function batchNormBackwardSums({ N, C, S }: NormDims, x: Storage, dy: Storage, mean: Float64Array, sumDy: Float64Array, sumDyXmu: Float64Array): void {
  for (let c = 0; c < C; c++) {
    const m = mean[c];
    let a = 0, b = 0;
    for (let n = 0; n < N; n++) {
      for (let i = (n * C + c) * S, e = i + S; i < e; i++) {
        a += dy[i];
        b += dy[i] * (x[i] - m);
      }
    }
    sumDy[c] = a;
    sumDyXmu[c] = b;
  }
}

/**
 * dx = a[c]*dy + b[c]*(x - mean[c]) + k[c]: batch norm's input gradient in both modes (training:
 * a = invstd*weight, b = -a*invstd^2*sumDyXmu/M, k = -a*sumDy/M; evaluation: b = k = 0).
 */
export function batchNormBackwardInput({ N, C, S }: NormDims, x: Storage, dy: Storage, mean: Float64Array, a: Float64Array, b: Float64Array, k: Float64Array, dx: Storage): void {
  const f = Math.fround;
  for (let c = 0; c < C; c++) {
    if (dx instanceof Float64Array) {
      const [m, ac, bc, kc] = [mean[c], a[c], b[c], k[c]];
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) dx[i] = ac * dy[i] + bc * (x[i] - m) + kc;
    } else {
      const [m, ac, bc, kc] = [f(mean[c]), f(a[c]), f(b[c]), f(k[c])];
      for (let n = 0; n < N; n++) for (let i = (n * C + c) * S, e = i + S; i < e; i++) dx[i] = f(f(ac * dy[i]) + f(bc * f(x[i] - m))) + kc;
    }
  }
}
