// The optimizers' WebAssembly updates (src/kernels/wasm/optim/) against the references
// (src/kernels/ref/optim.ts): SGD in each form (plain, weight decay, momentum with its first step,
// dampening, Nesterov) and Adam (with and without weight decay), over lengths with vector tails and
// over several threads' blocks: bit for bit (both compute in float64 and round once); the same
// bits with 1 and 2 threads; an
// infinite weight stays infinite without weight decay, as PyTorch's; float64 and short arrays go
// to the references.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../../src/core/random.js";
import { refKernels, setNumThreads } from "../../../../src/kernels/index.js";
import type { AdamHyper, SgdHyper } from "../../../../src/kernels/ref/optim.js";
import { assertSameBits, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

// From the wasm wrappers' minimum lengths up (kernels/wasm/optim/optim.ts), with odd counts for the
// kernels' tails; the last spans several threads' blocks.
const SGD_LENGTHS = [65_537, 65_540, 150_001];
const ADAM_LENGTHS = [1_025, 1_027, 4_099, 150_001];

const SGD_CASES: [string, Omit<SgdHyper, "first">][] = [
  ["plain", { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }],
  ["weight decay", { lr: 0.05, momentum: 0, dampening: 0, nesterov: false, weightDecay: 1e-3 }],
  ["momentum", { lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 }],
  ["momentum, dampening, decay", { lr: 0.01, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 5e-4 }],
  ["Nesterov", { lr: 0.01, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 1e-4 }],
];

/** Three steps of SGD from the same start with `k`'s kernels; w and buf after them. */
function sgdSteps(k: typeof wasm, n: number, h: Omit<SgdHyper, "first">, seed: number) {
  const g = new Generator(seed);
  const w = randomF32(n, g);
  const buf = h.momentum !== 0 ? new Float32Array(n) : null;
  for (let step = 0; step < 3; step++) k.sgdUpdate(w, randomF32(n, g), buf, { ...h, first: step === 0 });
  return { w, buf };
}

function adamSteps(k: typeof wasm, n: number, weightDecay: number, seed: number) {
  const g = new Generator(seed);
  const w = randomF32(n, g);
  const [m, v] = [new Float32Array(n), new Float32Array(n)];
  for (let t = 1; t <= 3; t++) {
    const h: AdamHyper = { stepSize: 1e-3 / (1 - 0.9 ** t), b1: 0.9, b2: 0.999, eps: 1e-8, bc2Sqrt: Math.sqrt(1 - 0.999 ** t), weightDecay };
    k.adamUpdate(w, randomF32(n, g), m, v, h);
  }
  return { w, m, v };
}

for (const n of SGD_LENGTHS) {
  for (const [name, h] of SGD_CASES) {
    test(`sgdUpdate (${name}), ${n} values: wasm = reference bit for bit`, () => {
      scrubStaging();
      const [a, b] = [sgdSteps(wasm, n, h, n), sgdSteps(refKernels, n, h, n)];
      assertSameBits("w", a.w, b.w);
      if (a.buf) assertSameBits("momentum buffer", a.buf, b.buf!);
    });
  }
}
for (const n of ADAM_LENGTHS) {
  for (const wd of [0, 1e-2]) {
    test(`adamUpdate (weight decay ${wd}), ${n} values: wasm = reference bit for bit`, () => {
      scrubStaging();
      const [a, b] = [adamSteps(wasm, n, wd, n + 1), adamSteps(refKernels, n, wd, n + 1)];
      assertSameBits("w", a.w, b.w);
      assertSameBits("m", a.m, b.m);
      assertSameBits("v", a.v, b.v);
    });
  }
}

test("an infinite weight stays infinite without weight decay; float64 and short arrays take the reference", () => {
  const w = new Float32Array(1 << 16).fill(0.5);
  w[7] = Infinity;
  wasm.sgdUpdate(w, new Float32Array(1 << 16).fill(1), null, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, first: false });
  assert.equal(w[7], Infinity);
  assert.equal(w[8], Math.fround(0.5 - 0.1));
  const w64 = Float64Array.from({ length: 100 }, (_, i) => i / 7);
  const want = w64.slice();
  refKernels.sgdUpdate(want, new Float64Array(100).fill(0.3), null, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, first: false });
  wasm.sgdUpdate(w64, new Float64Array(100).fill(0.3), null, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, first: false });
  assert.deepEqual(w64, want);
  const short = new Float32Array([1, 2, 3]);
  wasm.adamUpdate(short, new Float32Array([1, 1, 1]), new Float32Array(3), new Float32Array(3), { stepSize: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, bc2Sqrt: 1, weightDecay: 0 });
  const ref = new Float32Array([1, 2, 3]);
  refKernels.adamUpdate(ref, new Float32Array([1, 1, 1]), new Float32Array(3), new Float32Array(3), { stepSize: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, bc2Sqrt: 1, weightDecay: 0 });
  assert.deepEqual(short, ref);
});

test("1 and 2 threads give the same bits", async () => {
  const n = 300_001;
  const runs = [];
  for (const threads of [1, 2]) {
    if (threads === 2) await startThreads(2);
    else setNumThreads(1);
    scrubStaging();
    runs.push({ sgd: sgdSteps(wasm, n, SGD_CASES[3][1], 5), adam: adamSteps(wasm, n, 1e-2, 6) });
  }
  assertSameBits("SGD w", runs[0].sgd.w, runs[1].sgd.w);
  assertSameBits("SGD buffer", runs[0].sgd.buf!, runs[1].sgd.buf!);
  assertSameBits("Adam w", runs[0].adam.w, runs[1].adam.w);
  assertSameBits("Adam v", runs[0].adam.v, runs[1].adam.v);
});
