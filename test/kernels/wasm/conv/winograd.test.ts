// The Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution kernels (src/kernels/wasm/assembly/conv/winograd*.ts): forward
// (bias, fused activation), input gradient and weight gradient agree with the reference kernels
// on awkward shapes (odd output sizes: a last tile half outside; tile rows not a multiple of 4:
// vector groups that run past a row; paddings 0, 1 and 2; channel counts that are not multiples
// of 4; more tiles than one block holds), stay within a stated rounding bound against float64,
// and give the same bits for 1, 2 and 3 threads.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import type { Conv2dDims } from "../../../../src/kernels/index.js";
import type { Activation } from "../../../../src/kernels/ref/elementwise.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, js, randomF32, scrubStaging, startThreads, wasm } from "../parity.js";

/** [N, C, H, W, OC, padding] of a 3x3 stride-1 convolution. */
type Shape = [number, number, number, number, number, number];
const SHAPES: Shape[] = [
  [2, 3, 5, 7, 4, 1], // 5x7 output: odd both ways, 2 tiles of 4 lanes in a row
  [3, 16, 6, 6, 16, 1],
  [2, 5, 9, 11, 7, 0], // no padding: 7x9 output
  [1, 4, 3, 3, 5, 2], // padding 2: the input gradient's transposed convolution pads 0
  [5, 8, 3, 3, 9, 1], // 3x3 output: 2x2 tiles, a quarter of them outside
  [2, 17, 13, 10, 6, 1],
  [3, 64, 30, 30, 64, 1], // 675 tiles: more than one block (512 at 64 + 64 channels)
  [1, 1, 1, 1, 1, 1], // one pixel
];

function dims([N, C, H, W, OC, P]: Shape): Conv2dDims {
  return { N, C, H, W, OC, KH: 3, KW: 3, SH: 1, SW: 1, PH: P, PW: P, DH: 1, DW: 1, OH: H + 2 * P - 2, OW: W + 2 * P - 2, groups: 1 };
}

interface Operands {
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
  dy: Float32Array;
}
function operands(d: Conv2dDims, seed: number): Operands {
  const g = new Generator(seed);
  return {
    x: randomF32(d.N * d.C * d.H * d.W, g),
    w: randomF32(d.OC * d.C * 9, g),
    b: randomF32(d.OC, g),
    dy: randomF32(d.N * d.OC * d.OH * d.OW, g),
  };
}

/** All three passes by one backend's kernels, outputs pre-filled with junk they must overwrite. */
function passes(k: typeof js, d: Conv2dDims, o: Operands, act?: Activation) {
  const y = new Float32Array(d.N * d.OC * d.OH * d.OW).fill(7);
  const dx = new Float32Array(o.x.length).fill(7);
  const dw = new Float32Array(o.w.length).fill(7);
  const db = new Float32Array(d.OC).fill(7);
  k.conv2dForward(d, o.x, o.w, o.b, y, act);
  k.conv2dBackwardInput(d, o.dy, o.w, dx);
  k.conv2dBackwardWeight(d, o.x, o.dy, dw, db);
  return { y, dx, dw, db };
}

/** Runs fn with the wasm wrapper forced to Winograd with tile side m (and the tiles' layout in the products). */
function winograd<T>(m: 2 | 4, fn: () => T, tiles: "auto" | "rows" | "columns" = "auto"): T {
  convAlgorithm.force = "winograd";
  convAlgorithm.winogradTile = m;
  convAlgorithm.winogradTiles = tiles;
  try {
    return fn();
  } finally {
    convAlgorithm.force = "auto";
    convAlgorithm.winogradTile = "auto";
    convAlgorithm.winogradTiles = "auto";
  }
}
const TILES = [2, 4] as const;

/** float32 tolerance scaled by the length of each output's sum, as the other conv parity tests. */
const tolerance = (d: Conv2dDims) => 1e-5 * Math.sqrt(d.C * 9 + d.N * d.OH * d.OW);

for (const m of TILES)
  for (const shape of SHAPES)
    test(`wasm Winograd F(${m}x${m}, 3x3) conv2d = js, tiles as rows and as columns: ${shape}`, () => {
      const d = dims(shape);
      const o = operands(d, 11);
      // F(4x4)'s transforms scale by up to 5 and 1/24: its rounding is ~10x F(2x2)'s (see below)
      const tol = tolerance(d) * (m === 4 ? 10 : 1);
      for (const [act, tiles] of [[undefined, "rows"], ["relu", "columns"], ["tanh", "rows"], [undefined, "columns"]] as const) {
        const want = passes(js, d, o, act);
        const got = winograd(m, () => passes(wasm, d, o, act), tiles);
        assertAgree(`y (${act ?? "no activation"})`, got.y, want.y, tol);
        assertAgree("dx", got.dx, want.dx, tol);
        assertAgree("dw", got.dw, want.dw, tol);
        assertAgree("db", got.db, want.db, tol);
      }
    });

// The transforms add and scale: each output's error against the exact (float64) convolution,
// over the sum of |terms| it is made of, is what float32 accumulation gives (~1e-7) for F(2x2)
// and ~15x that for F(4x4). Measured here at 64->64 on 30x30 (batch 3, uniform [-1, 1]
// operands), forward | input gradient | weight gradient at most: F(2x2) 1.1e-7 | 1.3e-7 | 6.5e-8,
// F(4x4) 1.8e-6 | 2.2e-6 | 7.8e-7, im2col + GEMM 1.2e-7 | 6.5e-8 | 4.2e-8.
for (const [m, bound] of [[2, 5e-7], [4, 5e-6]] as const)
  test(`wasm Winograd F(${m}x${m}, 3x3): rounding against float64 stays under ${bound} of each output's scale`, () => {
    const d = dims([3, 64, 30, 30, 64, 1]);
    const o = operands(d, 12);
    const f64 = (a: Float32Array) => Float64Array.from(a);
    const exact = { y: new Float64Array(d.N * d.OC * d.OH * d.OW), dx: new Float64Array(o.x.length), dw: new Float64Array(o.w.length) };
    const scale = { y: new Float64Array(exact.y.length), dx: new Float64Array(exact.dx.length), dw: new Float64Array(exact.dw.length) };
    js.conv2dForward(d, f64(o.x), f64(o.w), null, exact.y);
    js.conv2dBackwardInput(d, f64(o.dy), f64(o.w), exact.dx);
    js.conv2dBackwardWeight(d, f64(o.x), f64(o.dy), exact.dw);
    const abs = (a: Float32Array) => Float64Array.from(a, Math.abs);
    js.conv2dForward(d, abs(o.x), abs(o.w), null, scale.y);
    js.conv2dBackwardInput(d, abs(o.dy), abs(o.w), scale.dx);
    js.conv2dBackwardWeight(d, abs(o.x), abs(o.dy), scale.dw);
    const got = winograd(m, () => passes(wasm, d, { ...o, b: new Float32Array(d.OC) }));
    for (const key of ["y", "dx", "dw"] as const) {
      let worst = 0;
      for (let i = 0; i < exact[key].length; i++) worst = Math.max(worst, Math.abs(got[key][i] - exact[key][i]) / scale[key][i]);
      assert.ok(worst < bound, `${key}: relative error ${worst.toExponential(2)} against float64`);
      assert.ok(worst > 0, `${key}: no rounding at all: the comparison saw no float32 arithmetic`);
    }
  });

test('"auto" takes F(4x4) on 12x12 outputs, F(2x2) on 6x6, and agrees with js', () => {
  for (const [size, m] of [[12, 4], [6, 2]] as const) {
    const d = dims([8, 32, size, size, 32, 1]);
    const o = operands(d, 13);
    const want = passes(js, d, o, "relu");
    const got = passes(wasm, d, o, "relu");
    assertAgree("y", got.y, want.y, tolerance(d) * 10);
    assertAgree("dx", got.dx, want.dx, tolerance(d) * 10);
    assertAgree("dw", got.dw, want.dw, tolerance(d) * 10);
    // the same bits as Winograd forced with that tile: auto took it
    const forced = winograd(m, () => passes(wasm, d, o, "relu"));
    assert.deepEqual(got.y, forced.y, `${size}x${size}: auto did not take F(${m}x${m})`);
    assert.deepEqual(got.dw, forced.dw);
  }
});

test("wasm Winograd F(2x2) and F(4x4): the same bits for 1, 2 and 3 threads", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(3);
  // 7 images (threads take 3 + 4, or 2 + 2 + 3), 21 output channels (the weight gradient splits
  // them in fours: 12 + 9, 8 + 8 + 5)
  const d = dims([7, 20, 14, 13, 21, 1]);
  const o = operands(d, 14);
  for (const m of TILES) {
    const runs = [1, 2, 3].map((n) => {
      torch.setNumThreads(n);
      scrubStaging();
      return winograd(m, () => passes(wasm, d, o, "relu"));
    });
    for (const r of runs.slice(1))
      for (const key of ["y", "dx", "dw", "db"] as const) assert.deepEqual(r[key], runs[0][key], `F(${m}x${m}) ${key}: threads differ`);
    // and the two layouts of the products: each output's sum runs over the channels in one order
    const rows = winograd(m, () => passes(wasm, d, o, "relu"), "rows");
    const columns = winograd(m, () => passes(wasm, d, o, "relu"), "columns");
    assert.deepEqual(rows.y, columns.y, `F(${m}x${m}): tiles as rows and as columns differ`);
    assertAgree("y", runs[0].y, passes(js, d, o, "relu").y, tolerance(d) * 10);
  }
});
