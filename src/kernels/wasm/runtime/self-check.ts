// A quick agreement check run before "wasm" becomes the default backend: one small GEMM with
// awkward sizes through both backends, compared to float32 tolerance. A module that loads but
// computes wrongly (a broken build, an engine bug) then leaves the default at "js".

import type { Kernels } from "../../index.js";

export function selfCheck(wasm: Kernels, ref: Kernels): boolean {
  const [M, N, K] = [7, 13, 5];
  const A = Float32Array.from({ length: M * K }, (_, i) => ((i * 7) % 11) / 11 - 0.5);
  const B = Float32Array.from({ length: K * N }, (_, i) => ((i * 5) % 13) / 13 - 0.5);
  const want = new Float32Array(M * N);
  const got = new Float32Array(M * N);
  try {
    ref.gemm({ transA: false, transB: false, M, N, K, A, B, C: want });
    wasm.gemm({ transA: false, transB: false, M, N, K, A, B, C: got });
  } catch {
    return false;
  }
  return want.every((w, i) => Math.abs(w - got[i]) <= 1e-5);
}
