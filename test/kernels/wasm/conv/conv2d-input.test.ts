// The WebAssembly input gradient's own direct kernel (src/kernels/wasm/assembly/conv/conv2d-input.ts,
// four images in the lanes of each vector; convAlgorithm "direct" picks it for every stride-1,
// undilated, ungrouped convolution) against the reference: awkward shapes, batches that leave
// lanes empty, NaN reaching only the right outputs, the same bits for 1 and 2 threads; and the
// "auto" rule's other choices where it leaves the kernel out.

import { test } from "node:test";
import assert, { AssertionError } from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { slidingOutputSize, type Conv2dDims } from "../../../../src/kernels/index.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

/** [N, C, H, W, OC, KH, KW, PH, PW] */
type Shape = [number, number, number, number, number, number, number, number, number];

function dims([N, C, H, W, OC, KH, KW, PH, PW]: Shape): Conv2dDims {
  const [OH, OW] = [slidingOutputSize(H, KH, 1, PH, 1), slidingOutputSize(W, KW, 1, PW, 1)];
  return { N, C, H, W, OC, KH, KW, SH: 1, SW: 1, PH, PW, DH: 1, DW: 1, OH, OW, groups: 1 };
}

function withAlgorithm<T>(a: "auto" | "direct", fn: () => T): T {
  convAlgorithm.force = a;
  try {
    return fn();
  } finally {
    convAlgorithm.force = "auto";
  }
}

/** dx from the wasm kernels (starting from garbage: it must all be overwritten) and from js. */
function bothGradients(d: Conv2dDims, seed: number, algorithm: "auto" | "direct" = "direct"): [Float32Array, Float32Array] {
  const g = new Generator(seed);
  const nx = d.N * d.C * d.H * d.W;
  const w = randomF32(d.OC * d.C * d.KH * d.KW, g);
  const dy = randomF32(d.N * d.OC * d.OH * d.OW, g);
  const [got, want] = [randomF32(nx, g), new Float32Array(nx)];
  withAlgorithm(algorithm, () => wasm.conv2dBackwardInput(d, dy, w, got));
  js.conv2dBackwardInput(d, dy, w, want);
  return [got, want];
}

/** The tolerance of test/kernels/wasm/conv/conv2d.test.ts. */
const tolerance = (d: Conv2dDims) => 1e-5 * Math.sqrt(d.C * d.KH * d.KW + d.N * d.OH * d.OW);

// Channel blocks of 4, 2 and 1 (C = 7, 6, 5, 3, 1), each with its own zero border of dy; rows
// whose positions end in every block size (W mod 6, 4, 2); padding 0, 1, 2, on one axis only,
// and wider than the kernel reaches (dy rows no dx row sees); a partial last group of images.
const SHAPES: [string, Shape][] = [
  ["LeNet C3 (6 <- 16, 5x5), a partial group of 3 images", [7, 6, 14, 14, 16, 5, 5, 0, 0]],
  ["LeNet C1-like (1 <- 6, 5x5, padding 2)", [3, 1, 28, 28, 6, 5, 5, 2, 2]],
  ["one image (three empty lanes), 7 channels, 3x3, padding 1", [1, 7, 9, 11, 5, 3, 3, 1, 1]],
  ["rows narrower than a vector (W 3, OW 1)", [3, 5, 4, 3, 3, 3, 3, 0, 0]],
  ["kernel 1x1 with padding 1: dy's border reaches no dx", [5, 3, 5, 7, 9, 1, 1, 1, 1]],
  ["3x5 kernel, padding [2, 0], wide rows (W 37)", [4, 2, 6, 37, 3, 3, 5, 2, 0]],
  ["padding wider than the kernel's reach (5x5, padding 5)", [2, 4, 3, 4, 2, 5, 5, 5, 5]],
  ["kernel as large as the image (one output)", [6, 3, 5, 5, 11, 5, 5, 0, 0]],
];

for (const [label, shape] of SHAPES) {
  test(`wasm direct input gradient = js: ${label}`, () => {
    const d = dims(shape);
    const [got, want] = bothGradients(d, 31);
    assertAgree(label, got, want, tolerance(d));
  });
}

test("wasm direct input gradient = js on random shapes", () => {
  const g = new Generator(32);
  const pick = (xs: number[]) => xs[g.randint(xs.length)];
  for (let i = 0; i < 40; i++) {
    const [KH, KW] = [pick([1, 3, 5]), pick([1, 3, 5])];
    const [PH, PW] = [pick([0, 1, 2]), pick([0, 1, 2])];
    const H = Math.max(1, KH - 2 * PH) + g.randint(12);
    const W = Math.max(1, KW - 2 * PW) + g.randint(20);
    const d = dims([pick([1, 3, 4, 6]), 1 + g.randint(9), H, W, 1 + g.randint(9), KH, KW, PH, PW]);
    const [got, want] = bothGradients(d, 100 + i);
    assertAgree(`case ${i}: ${JSON.stringify(d)}`, got, want, tolerance(d));
  }
});

test("wasm direct input gradient: a NaN in dy reaches exactly the dx values whose taps see it", () => {
  // Five images: the NaN sits in the last one, alone in its group of four lanes, at the last
  // column of a row (the columns past it are the zero border that blocks of positions read).
  const d = dims([5, 3, 6, 9, 2, 3, 3, 1, 1]);
  const dy = new Float32Array(d.N * d.OC * d.OH * d.OW).fill(0.5);
  dy[((4 * d.OC + 1) * d.OH + 2) * d.OW + 8] = NaN;
  const w = new Float32Array(d.OC * d.C * 9).fill(0.25);
  const [got, want] = [new Float32Array(d.N * d.C * d.H * d.W), new Float32Array(d.N * d.C * d.H * d.W)];
  withAlgorithm("direct", () => wasm.conv2dBackwardInput(d, dy, w, got));
  js.conv2dBackwardInput(d, dy, w, want);
  for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `dx ${i}: wasm ${got[i]}, js ${want[i]}`);
  assert.equal(want.filter(Number.isNaN).length, d.C * 3 * 2, "the NaN reaches 3 x 2 positions (column 8 is the last) of each channel");
});

test('"auto" where it leaves the kernel out (batch 1 and 2, dy planes under 16 positions) agrees with js', () => {
  const shapes: Shape[] = [[1, 16, 16, 16, 32, 3, 3, 1, 1], [2, 6, 14, 14, 16, 5, 5, 0, 0], [1, 1, 28, 28, 6, 5, 5, 2, 2], [4, 16, 5, 5, 120, 5, 5, 0, 0]];
  for (const shape of shapes) {
    const d = dims(shape);
    const [got, want] = bothGradients(d, 33, "auto");
    assertAgree(`auto ${JSON.stringify(shape)}`, got, want, tolerance(d));
  }
});

test("wasm direct input gradient: the same bits for 1 and 2 threads", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(2);
  // C3 with 10 images (threads get 4 and 6: a partial group on the second), and 7 channels
  // with 7 images (blocks of 4, 2 and 1 channels; 4 and 3 images).
  for (const shape of [[10, 6, 14, 14, 16, 5, 5, 0, 0], [7, 7, 20, 19, 24, 3, 3, 1, 1]] as Shape[]) {
    const d = dims(shape);
    const macs = d.N * d.OC * d.OH * d.OW * d.C * d.KH * d.KW;
    assert.ok(macs >= 2 << 18, `${shape}: ${macs} multiply-adds stay on one thread; the case tests nothing`);
    torch.setNumThreads(1);
    scrubStaging();
    const [one, want] = bothGradients(d, 34);
    scrubStaging();
    torch.setNumThreads(2);
    const [two] = bothGradients(d, 34);
    assertAgree(`${shape}`, one, want, tolerance(d));
    const [a, b] = [new Int32Array(one.buffer), new Int32Array(two.buffer)];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new AssertionError({ message: `${shape}: dx ${i}: 1 thread ${one[i]}, 2 threads ${two[i]}` });
  }
});
