// The WebAssembly GEMM agrees with the reference on all four transpose combinations, odd sizes,
// sizes that cross the blocking boundaries (6/4/2/1-row panels, 8-column panels, KC = 256,
// MC = 120), offsets into larger buffers, accumulate; and float64 goes to the reference exactly;
// gemmPair is two gemm calls, bit for bit.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../../src/core/random.js";
import { getNumThreads, setNumThreads, type GemmArgs } from "../../../../src/kernels/index.js";
import { assertAgree, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

const SMALL = [1, 3, 5, 7, 17];
// [M, N, K]: LeNet's shapes per image, and block edges
const LARGE: [number, number, number][] = [
  [6, 784, 25],
  [16, 100, 150],
  [25, 784, 6],
  [100, 120, 400],
  [121, 9, 257],
  [13, 1030, 3],
];

function check(g: Generator, transA: boolean, transB: boolean, M: number, N: number, K: number): void {
  const [ao, bo, co] = [3, 5, 2];
  const A = randomF32(ao + M * K + 4, g);
  const B = randomF32(bo + K * N + 4, g);
  const C0 = randomF32(co + M * N + 3, g);
  for (const accumulate of [false, true]) {
    const [Cw, Cj] = [C0.slice(), C0.slice()];
    const args = { transA, transB, M, N, K, A, aOffset: ao, B, bOffset: bo, accumulate };
    wasm.gemm({ ...args, C: Cw, cOffset: co } as GemmArgs);
    js.gemm({ ...args, C: Cj, cOffset: co } as GemmArgs);
    // Guard cells outside C's slice included: they must stay untouched.
    assertAgree(`gemm transA=${transA} transB=${transB} M=${M} N=${N} K=${K} accumulate=${accumulate}`, Cw, Cj, 1e-5 * Math.sqrt(K));
  }
}

for (const transA of [false, true])
  for (const transB of [false, true])
    test(`wasm gemm = js gemm, transA=${transA} transB=${transB}, sizes ${SMALL} and ${LARGE.map((s) => `(${s})`).join(" ")}`, () => {
      const g = new Generator(5);
      for (const M of SMALL) for (const N of SMALL) for (const K of SMALL) check(g, transA, transB, M, N, K);
      for (const [M, N, K] of LARGE) check(g, transA, transB, M, N, K);
    });

test("wasm gemm on float64 storage is the reference kernel, bit for bit", () => {
  const g = new Generator(6);
  const A = Float64Array.from(randomF32(35, g));
  const B = Float64Array.from(randomF32(63, g));
  const [Cw, Cj] = [new Float64Array(45), new Float64Array(45)];
  wasm.gemm({ transA: false, transB: true, M: 5, N: 9, K: 7, A, B, C: Cw });
  js.gemm({ transA: false, transB: true, M: 5, N: 9, K: 7, A, B, C: Cj });
  assert.deepEqual(Cw, Cj);
});

test("wasm gemm with an empty dimension leaves C zeroed or untouched like the reference", () => {
  const C = new Float32Array([1, 2, 3, 4]);
  wasm.gemm({ transA: false, transB: false, M: 2, N: 2, K: 0, A: new Float32Array(0), B: new Float32Array(0), C });
  assert.deepEqual(Array.from(C), [0, 0, 0, 0]);
  const D = new Float32Array([1, 2]);
  wasm.gemm({ transA: false, transB: false, M: 1, N: 2, K: 0, A: new Float32Array(0), B: new Float32Array(0), C: D, accumulate: true });
  assert.deepEqual(Array.from(D), [1, 2]);
});

test("wasm gemmPair gives the same bits as two gemm calls, with 1 and 2 threads (a linear layer's dx and dW)", async (t) => {
  const before = getNumThreads();
  t.after(() => setNumThreads(before));
  await startThreads(2);
  const g = new Generator(8);
  // LeNet's C5 at batch 100 (both products over the threshold for one thread each), and a pair too
  // small or too uneven for it (run as two calls)
  for (const [B, IN, OUT] of [[100, 400, 120], [3, 20, 10], [100, 400, 2]]) {
    const [dy, W, x] = [randomF32(B * OUT, g), randomF32(OUT * IN, g), randomF32(B * IN, g)];
    const dxArgs = (C: Float32Array): GemmArgs => ({ transA: false, transB: false, M: B, N: IN, K: OUT, A: dy, B: W, C });
    const dwArgs = (C: Float32Array): GemmArgs => ({ transA: true, transB: false, M: OUT, N: IN, K: B, A: dy, B: x, C, accumulate: true });
    const dw0 = randomF32(OUT * IN, g);
    const [dx, dw] = [new Float32Array(B * IN), dw0.slice()];
    wasm.gemm(dxArgs(dx));
    wasm.gemm(dwArgs(dw));
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      scrubStaging();
      const [px, pw] = [new Float32Array(B * IN), dw0.slice()];
      wasm.gemmPair(dxArgs(px), dwArgs(pw));
      assert.deepEqual(px, dx, `dx ${B}x${IN}x${OUT}, ${threads} thread(s)`);
      assert.deepEqual(pw, dw, `dW ${B}x${IN}x${OUT}, ${threads} thread(s)`);
    }
  }
});
