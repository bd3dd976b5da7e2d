// The WebAssembly batch-norm kernels and the same-shape add agree with the references
// (src/kernels/ref/norm.ts, elementwise.ts): the float32 passes bit for bit, the float64
// statistics and sums to 1e-12, on awkward shapes (S not a multiple of 4, one channel, one
// image); and each gives the same bits with 1, 2 and 3 threads.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import type { Kernels, NormDims } from "../../../../src/kernels/index.js";
import { assertAgree, assertSameBits, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

const SHAPES: NormDims[] = [1, 2, 7].flatMap((N) => [1, 3, 64].flatMap((C) => [1, 3, 5, 9, 36, 577].map((S) => ({ N, C, S }))));

/** Seeded operands of a batch norm of shape d: x around `offset`, dy, per-channel coefficients. */
function operands(d: NormDims, seed: number, offset = 0) {
  const g = new Generator(seed);
  const n = d.N * d.C * d.S;
  const perChannel = () => Float64Array.from(randomF32(d.C, g));
  return { x: randomF32(n, g).map((v) => v + offset), dy: randomF32(n, g), mean: perChannel().map((v) => v + offset), a: perChannel(), b: perChannel(), k: perChannel() };
}

type Ops = ReturnType<typeof operands>;

/** Every kernel's outputs through `k`: the statistics and sums (f64), then the float32 results. */
function outputs(k: Kernels, d: NormDims, o: Ops) {
  const n = o.x.length;
  const [mean, variance, sumDy, sumDyXmu] = [0, 0, 0, 0].map(() => new Float64Array(d.C).fill(NaN));
  k.batchNormStats(d, o.x, mean, variance);
  k.batchNormBackwardSums(d, o.x, o.dy, o.mean, sumDy, sumDyXmu);
  const [y, yRelu, dx] = [0, 0, 0].map(() => new Float32Array(n).fill(NaN));
  k.batchNormForward(d, o.x, o.mean, o.a, o.b, y);
  k.batchNormForward(d, o.x, o.mean, o.a, o.b, yRelu, "relu");
  const inPlace = o.x.slice();
  k.batchNormForward(d, inPlace, o.mean, o.a, o.b, inPlace, "relu");
  k.batchNormBackwardInput(d, o.x, o.dy, o.mean, o.a, o.b, o.k, dx);
  return { sums: { mean, variance, sumDy, sumDyXmu }, float32: { y, yRelu, inPlace, dx } };
}

function assertParity(label: string, d: NormDims, o: Ops, tol = 1e-12): void {
  const [got, want] = [outputs(wasm, d, o), outputs(js, d, o)];
  for (const [name, v] of Object.entries(want.sums)) assertAgree(`${label} ${name}`, got.sums[name as keyof typeof want.sums], v, tol);
  for (const [name, v] of Object.entries(want.float32)) assertSameBits(`${label} ${name}`, got.float32[name as keyof typeof want.float32], v);
}

test("wasm batch norm = js: statistics and sums to 1e-12, forward (ReLU, in place) and input gradient bit for bit, on awkward shapes", () => {
  for (const d of SHAPES) assertParity(`N=${d.N} C=${d.C} S=${d.S}`, d, operands(d, d.N * 1000 + d.C * 10 + d.S));
});

test("wasm batch-norm statistics: two passes stay exact for a large mean (x around 1000, spread 1)", () => {
  const d = { N: 7, C: 3, S: 577 };
  const o = operands(d, 31, 1000);
  assertParity("offset 1000", d, o, 1e-12);
  const [mean, variance] = [new Float64Array(3), new Float64Array(3)];
  wasm.batchNormStats(d, o.x, mean, variance);
  // Uniform on [-1, 1): variance 1/3, whatever the offset.
  for (const v of variance) assert.ok(Math.abs(v - 1 / 3) < 0.02, `variance ${v}`);
});

test("wasm batch norm with a Tanh fused: within 4 float32 ulp of Math.tanh (the SIMD tanh's bound)", () => {
  const d = { N: 2, C: 3, S: 37 };
  const o = operands(d, 32);
  const [got, want] = [new Float32Array(o.x.length), new Float32Array(o.x.length)];
  wasm.batchNormForward(d, o.x, o.mean, o.a.map((v) => 4 * v), o.b, got, "tanh");
  js.batchNormForward(d, o.x, o.mean, o.a.map((v) => 4 * v), o.b, want, "tanh");
  assertAgree("tanh", got, want, 5e-7);
});

test("wasm add = js bit for bit: odd lengths, fused ReLU, in place (the engine's accumulation), NaN and -0", () => {
  const g = new Generator(33);
  for (const n of [1, 3, 63, 64, 65, 1001, 4099]) {
    const [a, b] = [randomF32(n, g), randomF32(n, g)];
    if (n > 4) [a[0], b[0], a[1], b[1], a[2], b[2]] = [NaN, 1, -0, -0, 0.5, -0.5];
    for (const act of [undefined, "relu"] as const) {
      const [got, want] = [new Float32Array(n).fill(7), new Float32Array(n).fill(7)];
      wasm.addForward(a, b, got, act);
      js.addForward(a, b, want, act);
      assertSameBits(`add n=${n} act=${act}`, got, want);
      const [acc, accRef] = [a.slice(), a.slice()];
      wasm.addForward(acc, b, acc, act);
      js.addForward(accRef, b, accRef, act);
      assertSameBits(`add in place n=${n} act=${act}`, acc, accRef);
    }
  }
});

test("threaded wasm batch norm and add: the same bits with 1, 2 and 3 threads, = js", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(3);
  // Over 3 x 65,536 values: 3 threads, 12 blocks of planes, each thread's blocks starting at
  // other channels with each thread count (2,048 and 3 x 64 planes), and many tiny planes.
  for (const d of [{ N: 32, C: 64, S: 577 }, { N: 64, C: 3, S: 1089 }, { N: 128, C: 512, S: 3 }]) {
    assert.ok(d.N * d.C * d.S >= 3 << 16, `${d.N}x${d.C}x${d.S} gets fewer than 3 threads`);
    const o = operands(d, 34);
    const runs = [1, 2, 3].map((threads) => {
      torch.setNumThreads(threads);
      scrubStaging();
      const out = outputs(wasm, d, o);
      const sum = new Float32Array(o.x.length);
      wasm.addForward(o.x, o.dy, sum, "relu");
      return { ...out, sum };
    });
    const label = `N=${d.N} C=${d.C} S=${d.S}`;
    runs.forEach((r, k) => {
      for (const [name, v] of Object.entries(runs[0].sums)) assert.deepEqual(r.sums[name as keyof typeof r.sums], v, `${label} ${name}, ${k + 1} threads vs 1`);
      for (const [name, v] of Object.entries(runs[0].float32)) assertSameBits(`${label} ${name}, ${k + 1} threads vs 1`, r.float32[name as keyof typeof r.float32], v);
      assertSameBits(`${label} add, ${k + 1} threads vs 1`, r.sum, runs[0].sum);
    });
    torch.setNumThreads(1);
    assertParity(label, d, o);
  }
});
