// The WebAssembly forward convolution with four images in the lanes of each vector
// (src/kernels/wasm/assembly/conv/conv2d-lanes.ts, convAlgorithm "lanes") against the row-wise direct
// kernel ("direct"), bit for bit: both sum bias, then x * w over the taps in (c, kh, kw) order,
// and apply the same activation function. And against the reference to float32 tolerance, on
// awkward shapes, batches that leave lanes empty, NaN reaching only the right outputs, and the
// same bits for 1 and 2 threads.

import { test } from "node:test";
import assert, { AssertionError } from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { slidingOutputSize, type Conv2dDims } from "../../../../src/kernels/index.js";
import type { Activation } from "../../../../src/kernels/ref/elementwise.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

/** [N, C, H, W, OC, KH, KW, PH, PW] */
type Shape = [number, number, number, number, number, number, number, number, number];

function dims([N, C, H, W, OC, KH, KW, PH, PW]: Shape): Conv2dDims {
  const [OH, OW] = [slidingOutputSize(H, KH, 1, PH, 1), slidingOutputSize(W, KW, 1, PW, 1)];
  return { N, C, H, W, OC, KH, KW, SH: 1, SW: 1, PH, PW, DH: 1, DW: 1, OH, OW, groups: 1 };
}

type Operands = { x: Float32Array; w: Float32Array; bias: Float32Array | null };

function operands(d: Conv2dDims, seed: number, withBias: boolean): Operands {
  const g = new Generator(seed);
  const x = randomF32(d.N * d.C * d.H * d.W, g);
  const w = randomF32(d.OC * d.C * d.KH * d.KW, g);
  return { x, w, bias: withBias ? randomF32(d.OC, g) : null };
}

/** y by the wasm wrapper forced to one algorithm, starting from garbage (it must all be overwritten). */
function forward(d: Conv2dDims, o: Operands, algorithm: "lanes" | "direct" | "auto", act?: Activation): Float32Array {
  const y = new Float32Array(d.N * d.OC * d.OH * d.OW).fill(7.5);
  convAlgorithm.force = algorithm;
  try {
    wasm.conv2dForward(d, o.x, o.w, o.bias, y, act);
  } finally {
    convAlgorithm.force = "auto";
  }
  return y;
}

function reference(d: Conv2dDims, o: Operands, act?: Activation): Float32Array {
  const y = new Float32Array(d.N * d.OC * d.OH * d.OW);
  js.conv2dForward(d, o.x, o.w, o.bias, y, act);
  return y;
}

/** The same bit patterns (NaN and -0 included), or an error naming the first difference. */
function assertSameBits(label: string, got: Float32Array, want: Float32Array): void {
  assert.equal(got.length, want.length, label);
  const [a, b] = [new Int32Array(got.buffer, got.byteOffset, got.length), new Int32Array(want.buffer, want.byteOffset, want.length)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new AssertionError({ message: `${label}: y ${i} of ${a.length}: ${got[i]} vs ${want[i]}` });
}

/** The tolerance of test/kernels/wasm/conv/conv2d.test.ts. */
const tolerance = (d: Conv2dDims) => 1e-5 * Math.sqrt(d.C * d.KH * d.KW + d.N * d.OH * d.OW);

const ACTS = [undefined, "tanh", "relu"] as const;

/** Lanes = direct bit for bit and = js within tolerance, with and without bias, for each activation. */
function checkShape(label: string, d: Conv2dDims, seed: number): void {
  for (const withBias of [false, true]) {
    const o = operands(d, seed, withBias);
    for (const act of ACTS) {
      const what = `${label} bias=${withBias} act=${act ?? "none"}`;
      const got = forward(d, o, "lanes", act);
      assertSameBits(`${what}: lanes vs direct`, got, forward(d, o, "direct", act));
      assertAgree(`${what}: lanes vs js`, got, reference(d, o, act), tolerance(d));
    }
  }
}

// Channel blocks of 4, 2 and 1 (OC = 7, 6, 5, 3, 1); rows ending in every block size (OW mod 6,
// 4, 2), narrower than a vector and wide; batches of 1 to 9 (last groups of 1 to 4 images).
const SHAPES: [string, Shape][] = [
  ["LeNet C3 (6->16, 5x5), 9 images (last group of 1)", [9, 6, 14, 14, 16, 5, 5, 0, 0]],
  ["LeNet C1 (1->6, 5x5, padding 2), 3 images", [3, 1, 28, 28, 6, 5, 5, 2, 2]],
  ["7 output channels, 3x3, padding 1, one image", [1, 5, 9, 11, 7, 3, 3, 1, 1]],
  ["rows narrower than a vector (OW 1 and 3)", [6, 3, 4, 3, 5, 3, 1, 0, 0]],
  ["1x1 kernel with padding 2: outputs of bias alone", [5, 3, 5, 7, 9, 1, 1, 2, 2]],
  ["3x5 kernel, padding [2, 0], wide rows (OW 33)", [4, 2, 6, 37, 3, 3, 5, 2, 0]],
];

for (const [label, shape] of SHAPES) test(`wasm lanes forward = direct = js: ${label}`, () => checkShape(label, dims(shape), 41));

test("wasm lanes forward = direct = js on random shapes", () => {
  const g = new Generator(42);
  const pick = (xs: number[]) => xs[g.randint(xs.length)];
  for (let i = 0; i < 30; i++) {
    const [KH, KW] = [pick([1, 3, 5]), pick([1, 3, 5])];
    const [PH, PW] = [g.randint(3), g.randint(3)];
    const H = Math.max(1, KH - 2 * PH) + g.randint(10);
    const W = Math.max(1, KW - 2 * PW) + g.randint(24);
    const d = dims([1 + g.randint(9), pick([1, 2, 3, 5, 6, 7]), H, W, pick([1, 2, 3, 5, 6, 7, 9]), KH, KW, PH, PW]);
    checkShape(`case ${i}: ${JSON.stringify(d)}`, d, 200 + i);
  }
});

test("wasm lanes forward: a NaN in x reaches exactly the outputs whose taps see it, in its image only", () => {
  // Six images: the NaN sits in image 4, lane 0 of the second group (lane 1 holds image 5, lanes
  // 2 and 3 are empty), at the last column of a row, next to the zero border.
  const d = dims([6, 3, 6, 9, 5, 3, 3, 1, 1]);
  const o = { x: new Float32Array(d.N * d.C * d.H * d.W).fill(0.5), w: new Float32Array(d.OC * d.C * 9).fill(0.25), bias: new Float32Array(d.OC).fill(0.125) };
  o.x[((4 * d.C + 1) * d.H + 2) * d.W + 8] = NaN;
  const got = forward(d, o, "lanes", "tanh");
  const want = reference(d, o, "tanh");
  for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `y ${i}: wasm ${got[i]}, js ${want[i]}`);
  assert.equal(want.filter(Number.isNaN).length, d.OC * 3 * 2, "the NaN reaches 3 x 2 positions (column 8 is the last) of each channel of image 4");
  assertSameBits("lanes vs direct", got, forward(d, o, "direct", "tanh"));
});

test('"auto" agrees with js where it takes the lanes kernel and where it leaves it (batches 2 and 5)', () => {
  for (const shape of [[8, 6, 14, 14, 16, 5, 5, 0, 0], [2, 6, 14, 14, 16, 5, 5, 0, 0], [5, 1, 28, 28, 6, 5, 5, 2, 2]] as Shape[]) {
    const d = dims(shape);
    const o = operands(d, 43, true);
    assertAgree(`auto ${shape}`, forward(d, o, "auto", "relu"), reference(d, o, "relu"), tolerance(d));
  }
});

test("wasm lanes forward: the same bits for 1 and 2 threads", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(2);
  // C3 with 10 images (threads get 4 and 6: a partial group on the second), and 7 channels
  // with 7 images (blocks of 4, 2 and 1 channels; 4 and 3 images).
  for (const shape of [[10, 6, 14, 14, 16, 5, 5, 0, 0], [7, 5, 20, 19, 7, 3, 3, 1, 1]] as Shape[]) {
    const d = dims(shape);
    const macs = d.N * d.OC * d.OH * d.OW * d.C * d.KH * d.KW;
    assert.ok(macs >= 2 << 18, `${shape}: ${macs} multiply-adds stay on one thread; the case tests nothing`);
    const o = operands(d, 44, true);
    torch.setNumThreads(1);
    scrubStaging();
    const one = forward(d, o, "lanes", "tanh");
    torch.setNumThreads(2);
    scrubStaging();
    const two = forward(d, o, "lanes", "tanh");
    assertAgree(`${shape}`, one, reference(d, o, "tanh"), tolerance(d));
    assertSameBits(`${shape}: 1 vs 2 threads`, one, two);
  }
});
