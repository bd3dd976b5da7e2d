// The worker-thread kernels: every threaded wasm kernel gives the same bits with 1 and with 2
// threads and agrees with the js reference, on shapes large enough to pass each wrapper's
// threading threshold (small calls stay on the calling thread and would prove nothing);
// setNumThreads' contract; three LeNet-5 SGD steps that do not depend on the thread count.

import { test } from "node:test";
import assert, { AssertionError } from "node:assert/strict";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { readyThreads, slidingOutputSize, type Conv2dDims, type GemmArgs, type Kernels, type PoolGeometry } from "../../../../src/kernels/index.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { splitsRows } from "../../../../src/kernels/wasm/gemm/gemm.js";
import { assertAgree, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";
import { crossEntropySteps } from "../../../helpers/steps.js";

/** Read before any test sets it: the default of a fresh process. */
const DEFAULT_THREADS = torch.getNumThreads();

// The wrappers' thresholds (src/kernels/wasm/*/*.ts): a call gets a second thread only when its
// work is at least twice the per-thread amount. Each case below checks it clears the bar.
const MACS_PER_THREAD = 1 << 18; // gemm, conv2d (the bias gradient counts dy values)
const VALUES_PER_THREAD = 1 << 16; // pooling (input values), tanh
function assertThreaded(label: string, work: number, perThread: number): void {
  assert.ok(work >= 2 * perThread, `${label}: work ${work} is below the 2-thread threshold ${2 * perThread}; the case tests nothing`);
}

function withThreads<T>(n: number, fn: () => T): T {
  const before = torch.getNumThreads();
  torch.setNumThreads(n);
  try {
    return fn();
  } finally {
    torch.setNumThreads(before);
  }
}

type Out = Float32Array | Int32Array;

/** Bit for bit (NaN payloads and the sign of zero included), or an error naming the first difference. */
function assertSameBits(label: string, got: Out, want: Out): void {
  if (got.length !== want.length) throw new AssertionError({ message: `${label}: length ${got.length} vs ${want.length}` });
  const [g, w] = [new Int32Array(got.buffer, got.byteOffset, got.length), new Int32Array(want.buffer, want.byteOffset, want.length)];
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) throw new AssertionError({ message: `${label}: element ${i} of ${w.length}: ${got[i]} vs ${want[i]}` });
  }
}

// NOTE: the kernels stage outputs in WebAssembly memory at the same addresses call after call,
// so a part that never ran would leave the previous run's correct values there and go unseen.
// scrubStaging (parity.ts) rules that out.

/** Runs fn (fresh outputs each time) with 1 and 2 threads; asserts the same bits; returns the 2-thread outputs. */
function sameForThreadCounts<T extends Out[]>(label: string, fn: () => T): T {
  scrubStaging();
  const one = withThreads(1, fn);
  scrubStaging();
  const two = withThreads(2, () => {
    assert.equal(readyThreads(), 2, `${label}: the worker thread is not ready, so 2 threads would prove nothing`);
    return fn();
  });
  one.forEach((want, k) => assertSameBits(`${label} (output ${k}, 2 threads vs 1)`, two[k], want));
  return two;
}

/** Where a kernel's outputs start: it must overwrite all of it. */
const garbage = (n: number) => randomF32(n, new Generator(n));
const oneOutput = (n: number) => () => [garbage(n)];

/**
 * `call` through wasm with 1 and with 2 threads (the same bits asserted) and through js, each on
 * fresh outputs from `make`; returns the wasm outputs and the js ones.
 */
function wasmAndJs<T extends Out[]>(label: string, make: () => T, call: (k: Kernels, outs: T) => void): [T, T] {
  const got = sameForThreadCounts(label, () => {
    const outs = make();
    call(wasm, outs);
    return outs;
  });
  const want = make();
  call(js, want);
  return [got, want];
}

// NOTE: first in the file, so that no earlier test has started the workers yet. A worker starts
// asynchronously (nothing waits for it: its share runs on the caller until it is ready), so the
// test waits for it; the tests after it rely on it being ready (sameForThreadCounts checks).
test("a large call with 2 threads starts a worker thread, which becomes ready", { skip: process.platform !== "linux" && "counts OS threads in /proc/self/task" }, async () => {
  const osThreads = () => readdirSync("/proc/self/task").length;
  const before = osThreads();
  const g = new Generator(20);
  const n = 256;
  const [A, B] = [randomF32(n * n, g), randomF32(n * n, g)];
  withThreads(2, () => wasm.gemm({ transA: false, transB: false, M: n, N: n, K: n, A, B, C: new Float32Array(n * n) }));
  assert.ok(osThreads() > before, `the process still has ${before} OS threads: no worker was started`);
  await startThreads(2);
});

// [label, M, N, K, transA, transB, accumulate, offsets into A, B, C, split at 2 threads]
type GemmCase = [string, number, number, number, boolean, boolean, boolean, number, "rows" | "columns"];
const GEMMS: GemmCase[] = [
  ["256^3 (4M >= N)", 256, 256, 256, false, false, false, 0, "rows"],
  ["wide C (4M < N)", 40, 600, 130, false, false, false, 0, "columns"],
  ["transA, N = 250: the last column block is not a multiple of 8", 41, 250, 300, true, false, false, 0, "columns"],
  ["transA, M = 129: the last row block is not a multiple of 4", 129, 250, 300, true, false, false, 0, "rows"],
  ["transB, accumulate, offsets", 200, 130, 301, false, true, true, 3, "rows"],
  ["transA and transB", 150, 170, 190, true, true, false, 0, "rows"],
  ["narrow C (N < 32 * threads), accumulate", 1001, 37, 33, false, false, true, 0, "rows"],
  ["narrow C, both transposed, offsets", 517, 20, 129, true, true, false, 5, "rows"],
];

for (const [label, M, N, K, transA, transB, accumulate, off, split] of GEMMS) {
  test(`threaded wasm gemm: same bits for 1 and 2 threads, = js: ${label}, ${split} split`, () => {
    assert.equal(splitsRows(M, N, 2) ? "rows" : "columns", split, `${label}: the split the case is meant to cover`);
    assertThreaded(label, M * N * K, MACS_PER_THREAD);
    const g = new Generator(21);
    const A = randomF32(off + M * K + 2, g);
    const B = randomF32(off + K * N + 2, g);
    // C starts non-zero: accumulate must add to it, the others must overwrite it; cells
    // outside C's slice must stay untouched.
    const C0 = randomF32(off + M * N + 2, g);
    const args: Omit<GemmArgs, "C"> = { transA, transB, M, N, K, A, aOffset: off, B, bOffset: off, cOffset: off, accumulate };
    const [[got], [want]] = wasmAndJs(label, () => [C0.slice()], (k, [C]) => k.gemm({ ...args, C }));
    assertAgree(label, got, want, 1e-5 * Math.sqrt(K));
  });
}

interface ConvCase {
  label: string;
  N: number;
  C: number;
  HW: [number, number];
  OC: number;
  K: number;
  stride: number;
  pad: number;
  groups: number;
  /** Whether dy is large enough for the bias gradient to be threaded too. */
  threadedBias?: boolean;
  /** Forces the wasm wrapper's algorithm (default: its own choice; C1 goes direct). */
  algorithm?: "im2col";
}

const CONVS: ConvCase[] = [
  // P = 784 >= 256: one image per GEMM; N = 128 also puts the bias gradient over its threshold.
  { label: "LeNet C1 (1->6, 5x5, pad 2 on 28x28), N=128: large P, direct", N: 128, C: 1, HW: [28, 28], OC: 6, K: 5, stride: 1, pad: 2, groups: 1, threadedBias: true },
  { label: "LeNet C1, N=128, by im2col + GEMM", N: 128, C: 1, HW: [28, 28], OC: 6, K: 5, stride: 1, pad: 2, groups: 1, algorithm: "im2col" },
  // P = 1: images go through in chunks, and each thread's chunk differs from the 1-thread one.
  { label: "LeNet C5 (16->120, 5x5 on 5x5), N=100: few positions, chunked", N: 100, C: 16, HW: [5, 5], OC: 120, K: 5, stride: 1, pad: 0, groups: 1 },
  // P = 196: chunks of 5 images, so 32 images split 16/16 give chunks 5,5,5,1 vs 5,5,5,5,5,5,2.
  { label: "groups 3 (6->12, 3x3 pad 1 on 14x14), N=32", N: 32, C: 6, HW: [14, 14], OC: 12, K: 3, stride: 1, pad: 1, groups: 3 },
  { label: "stride 2, pad 1, 3->8 on 33x31, N=11 split unevenly", N: 11, C: 3, HW: [33, 31], OC: 8, K: 3, stride: 2, pad: 1, groups: 1 },
];

function convDims(c: ConvCase): Conv2dDims {
  const [H, W] = c.HW;
  const OH = slidingOutputSize(H, c.K, c.stride, c.pad, 1);
  const OW = slidingOutputSize(W, c.K, c.stride, c.pad, 1);
  return { N: c.N, C: c.C, H, W, OC: c.OC, KH: c.K, KW: c.K, SH: c.stride, SW: c.stride, PH: c.pad, PW: c.pad, DH: 1, DW: 1, OH, OW, groups: c.groups };
}

for (const c of CONVS) {
  test(`threaded wasm conv2d: same bits for 1 and 2 threads, = js: ${c.label}`, (t) => {
    convAlgorithm.force = c.algorithm ?? "auto";
    t.after(() => (convAlgorithm.force = "auto"));
    const d = convDims(c);
    const nx = d.N * d.C * d.H * d.W;
    const nw = d.OC * (d.C / d.groups) * d.KH * d.KW;
    const ny = d.N * d.OC * d.OH * d.OW;
    assertThreaded(c.label, ny * (d.C / d.groups) * d.KH * d.KW, MACS_PER_THREAD);
    if (c.threadedBias) assertThreaded(`${c.label} bias gradient`, ny, MACS_PER_THREAD);
    const g = new Generator(22);
    const [x, w, b, dy] = [randomF32(nx, g), randomF32(nw, g), randomF32(d.OC, g), randomF32(ny, g)];
    const tol = 1e-5 * Math.sqrt(d.C * d.KH * d.KW + d.N * d.OH * d.OW);
    for (const bias of [null, b]) {
      const label = `${c.label} forward bias=${!!bias}`;
      const [[y], [yRef]] = wasmAndJs(label, oneOutput(ny), (k, [out]) => k.conv2dForward(d, x, w, bias, out));
      assertAgree(label, y, yRef, tol);
    }
    const [[dx], [dxRef]] = wasmAndJs(`${c.label} backward input`, oneOutput(nx), (k, [out]) => k.conv2dBackwardInput(d, dy, w, out));
    assertAgree(`${c.label} backward input`, dx, dxRef, tol);
    const [[dw], [dwRef]] = wasmAndJs(`${c.label} backward weight`, oneOutput(nw), (k, [out]) => k.conv2dBackwardWeight(d, x, dy, out));
    assertAgree(`${c.label} backward weight`, dw, dwRef, tol);
    const [[db], [dbRef]] = wasmAndJs(`${c.label} backward bias`, oneOutput(d.OC), (k, [out]) => k.conv2dBackwardBias(d, dy, out));
    assertAgree(`${c.label} backward bias`, db, dbRef, tol);
    // Weight and bias gradients from one staging of dy (what ops/conv.ts calls).
    const both = () => [garbage(nw), garbage(d.OC)];
    const [[dw2, db2]] = wasmAndJs(`${c.label} backward weight and bias`, both, (k, [outW, outB]) => k.conv2dBackwardWeight(d, x, dy, outW, outB));
    assertSameBits(`${c.label} backward weight with bias = without`, dw2, dw);
    assertSameBits(`${c.label} backward bias fused = alone`, db2, db);
  });
}

const POOLS: [string, PoolGeometry][] = [
  ["LeNet S2 (2x2 stride 2) over 100x6 planes of 28x28", { NC: 600, H: 28, W: 28, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 14, OW: 14 }],
  ["3x3 stride 2 pad 1 over 301 planes of 27x27 (uneven split)", { NC: 301, H: 27, W: 27, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, OH: 14, OW: 14 }],
];

for (const [label, p] of POOLS) {
  test(`threaded wasm pooling: same bits for 1 and 2 threads, = js: ${label}`, () => {
    const nx = p.NC * p.H * p.W;
    const ny = p.NC * p.OH * p.OW;
    assertThreaded(label, nx, VALUES_PER_THREAD);
    const g = new Generator(23);
    const [x, dy] = [randomF32(nx, g), randomF32(ny, g)];
    for (const include of [true, false]) {
      const avg = `${label} avg include=${include}`;
      const [[y], [yRef]] = wasmAndJs(`${avg} forward`, oneOutput(ny), (k, [out]) => k.avgPool2dForward(p, x, out, include));
      assertSameBits(`${avg} forward vs js`, y, yRef);
      const [[dx], [dxRef]] = wasmAndJs(`${avg} backward`, oneOutput(nx), (k, [out]) => k.avgPool2dBackward(p, dy, out, include));
      assertSameBits(`${avg} backward vs js`, dx, dxRef);
    }
    const yAndArgmax = (): [Float32Array, Int32Array] => [garbage(ny), new Int32Array(ny).fill(-7)];
    const [[y, argmax], [yRef, argmaxRef]] = wasmAndJs(`${label} max forward`, yAndArgmax, (k, [out, at]) => k.maxPool2dForward(p, x, out, at));
    assertSameBits(`${label} max forward vs js`, y, yRef);
    assertSameBits(`${label} max argmax vs js`, argmax, argmaxRef);
    const [[dx], [dxRef]] = wasmAndJs(`${label} max backward`, oneOutput(nx), (k, [out]) => k.maxPool2dBackward(p, dy, argmaxRef, out));
    assertAgree(`${label} max backward`, dx, dxRef, 1e-6);
  });
}

test("threaded wasm tanh: same bits for 1 and 2 threads; forward = Math.tanh within 4 ulp, backward = js exactly", () => {
  const g = new Generator(24);
  // 300,001: over the threshold and not a multiple of the 4-value blocks the threads take.
  for (const n of [65, 1001, 300_001]) {
    const x = randomF32(n, g).map((v) => v * 4);
    const fresh = () => [new Float32Array(n)];
    const [[y], [yRef]] = wasmAndJs(`tanh forward n=${n}`, fresh, (k, [out]) => k.tanhForward(x, out));
    assertAgree(`tanh forward n=${n}`, y, yRef, 5e-7);
    const dy = randomF32(n, g);
    const [[dx], [dxRef]] = wasmAndJs(`tanh backward n=${n}`, fresh, (k, [out]) => k.tanhBackward(yRef, dy, out));
    // Both compute dy * (1 - y * y) in float64 and round once.
    assertSameBits(`tanh backward n=${n} vs js`, dx, dxRef);
  }
  assertThreaded("tanh n=300001", 300_001, VALUES_PER_THREAD);
});

test("threaded wasm ReLU: same bits for 1 and 2 threads and as js, forward and backward, NaN and -0 included", () => {
  const g = new Generator(25);
  for (const n of [65, 1001, 300_001]) {
    const x = randomF32(n, g);
    [x[0], x[1], x[2], x[3], x[4]] = [NaN, -0, 0, Infinity, -Infinity];
    const fresh = () => [garbage(n)];
    const [[y], [yRef]] = wasmAndJs(`relu forward n=${n}`, fresh, (k, [out]) => k.reluForward(x, out));
    assertSameBits(`relu forward n=${n} vs js`, y, yRef);
    const dy = randomF32(n, g);
    const [[dx], [dxRef]] = wasmAndJs(`relu backward n=${n}`, fresh, (k, [out]) => k.reluBackward(x, dy, out));
    assertSameBits(`relu backward n=${n} vs js`, dx, dxRef);
  }
  assertThreaded("relu n=300001", 300_001, VALUES_PER_THREAD);
});

test("setNumThreads rejects non-integers and values outside 1..16, naming itself and the value", () => {
  const before = torch.getNumThreads();
  try {
    for (const bad of [0, -1, 1.5, NaN, 17]) {
      assert.throws(
        () => torch.setNumThreads(bad),
        (e: unknown) => e instanceof RangeError && e.message.startsWith("setNumThreads:") && e.message.endsWith(`got ${bad}`),
        `setNumThreads(${bad})`,
      );
      assert.equal(torch.getNumThreads(), before, `a rejected setNumThreads(${bad}) changes nothing`);
    }
  } finally {
    torch.setNumThreads(before);
  }
});

test("getNumThreads returns what setNumThreads set", () => {
  const before = torch.getNumThreads();
  try {
    for (const n of [1, 3, 16, 2]) {
      torch.setNumThreads(n);
      assert.equal(torch.getNumThreads(), n);
    }
  } finally {
    torch.setNumThreads(before);
  }
});

test("the default thread count is one per core (at most 16), or TORCHLET_NUM_THREADS", () => {
  assert.ok(Number.isInteger(DEFAULT_THREADS) && DEFAULT_THREADS >= 1, `default ${DEFAULT_THREADS}`);
  const env = process.env.TORCHLET_NUM_THREADS;
  if (env === undefined) assert.equal(DEFAULT_THREADS, Math.min(availableParallelism(), 16));
  else if (/^[1-9]\d*$/.test(env)) assert.equal(DEFAULT_THREADS, Math.min(Number(env), 16));
});

/** Three SGD steps of LeNet-5 on one random batch: the losses and the final parameters. */
function lenetTraining(): { losses: number[]; before: Float32Array[]; after: Float32Array[] } {
  torch.manualSeed(5);
  const model = torch.models.lenet5();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const x = torch.randn([16, 1, 28, 28]);
  const labels = torch.tensor(Array.from({ length: 16 }, (_, i) => (i * 7) % 10));
  const snapshot = () => model.parameters().map((p) => Float32Array.from(p.data));
  const before = snapshot();
  const losses = crossEntropySteps(model, opt, x, labels, 3);
  return { losses, before, after: snapshot() };
}

test("three LeNet-5 SGD steps give the same losses and parameters, bit for bit, with 1 and 2 threads", () => {
  // C1's forward on 16 images is 1.9M multiply-adds: over the 2-thread threshold.
  assertThreaded("LeNet-5 C1 forward, batch 16", 16 * 6 * 28 * 28 * 25, MACS_PER_THREAD);
  const backend = torch.getBackend();
  try {
    torch.setBackend("wasm");
    const one = withThreads(1, lenetTraining);
    const two = withThreads(2, lenetTraining);
    assert.deepEqual(two.losses, one.losses);
    one.after.forEach((p, k) => assertSameBits(`parameter ${k} after 3 steps`, two.after[k], p));
    // Guards against a vacuous pass: the steps did train.
    assert.ok(one.after.every((p, k) => p.some((v, i) => v !== one.before[k][i])), "every parameter changed");
    assert.ok(one.losses[2] < one.losses[0], `loss went down: ${one.losses}`);
  } finally {
    torch.setBackend(backend);
  }
});
