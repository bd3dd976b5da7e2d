// The WebAssembly conv2d kernels (forward with and without bias, backward input, backward
// weight) and im2col/col2im agree with the references under stride, padding, dilation, groups
// and odd sizes, by both algorithms (im2col + GEMM, and direct convolution where it applies);
// float64 goes to the reference.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../../src/core/random.js";
import { slidingOutputSize, type Conv2dDims } from "../../../../src/kernels/index.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, js, randomF32, wasm } from "../parity.js";

/** [label, N, C, H, W, OC, KH, KW, stride, padding, dilation, groups] with (h, w) pairs */
type Case = [string, number, number, number, number, number, number, number, [number, number], [number, number], [number, number], number];
const CASES: Case[] = [
  ["LeNet C1 (1->6, 5x5, padding 2)", 3, 1, 28, 28, 6, 5, 5, [1, 1], [2, 2], [1, 1], 1],
  ["LeNet C3 full (6->16, 5x5)", 2, 6, 14, 14, 16, 5, 5, [1, 1], [0, 0], [1, 1], 1],
  ["odd sizes 1x1 kernel", 1, 3, 5, 7, 17, 1, 1, [1, 1], [0, 0], [1, 1], 1],
  // 256+ output positions an image: one image per GEMM, which then reads x (writes dx) in place
  ["1x1 kernel as a plain GEMM, 3 images, groups 2", 3, 4, 16, 17, 6, 1, 1, [1, 1], [0, 0], [1, 1], 2],
  ["1x1 kernel with stride 2 (im2col)", 3, 4, 33, 34, 6, 1, 1, [2, 2], [0, 0], [1, 1], 1],
  ["stride [2, 3], padding [1, 2]", 2, 3, 7, 9, 5, 3, 3, [2, 3], [1, 2], [1, 1], 1],
  ["dilation [2, 1], kernel 3x2", 2, 2, 9, 8, 3, 3, 2, [1, 1], [2, 1], [2, 1], 1],
  ["groups 3", 2, 6, 5, 5, 9, 3, 3, [1, 1], [1, 1], [1, 1], 3],
  ["stride 2 and padding wider than the kernel's reach", 1, 1, 3, 3, 7, 5, 5, [2, 2], [2, 2], [1, 1], 1],
  // Direct convolution's edges: 7 output channels (blocks of 4, 2 and 1), rows of 13 (two
  // 4-wide vectors after an 8-wide one, the last overhanging) and of 3 (overhang only), 3x2 taps
  // (not a multiple of 4), padding wider on one axis.
  ["direct edges: 2->7, 3x2 kernel, padding [1, 2], 13-wide rows", 3, 2, 6, 14, 7, 3, 2, [1, 1], [1, 2], [1, 1], 1],
  ["direct edges: 3-wide rows, one image", 1, 3, 4, 5, 5, 2, 3, [1, 1], [0, 0], [1, 1], 1],
];

const ALGORITHMS = ["im2col", "direct"] as const;
/** Runs fn with the wasm wrapper forced to one algorithm (direct only applies to stride 1, no dilation, one group). */
function withAlgorithm<T>(a: (typeof ALGORITHMS)[number], fn: () => T): T {
  convAlgorithm.force = a;
  try {
    return fn();
  } finally {
    convAlgorithm.force = "auto";
  }
}

function dims(c: Case): Conv2dDims {
  const [, N, C, H, W, OC, KH, KW, [SH, SW], [PH, PW], [DH, DW], groups] = c;
  const OH = slidingOutputSize(H, KH, SH, PH, DH);
  const OW = slidingOutputSize(W, KW, SW, PW, DW);
  return { N, C, H, W, OC, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, groups };
}

for (const c of CASES) {
  for (const algorithm of ALGORITHMS)
    test(`wasm conv2d kernels (${algorithm}) = js: ${c[0]}`, () => {
      const d = dims(c);
      const g = new Generator(9);
      const nx = d.N * d.C * d.H * d.W;
      const nw = d.OC * (d.C / d.groups) * d.KH * d.KW;
      const ny = d.N * d.OC * d.OH * d.OW;
      const [x, w, b, dy] = [randomF32(nx, g), randomF32(nw, g), randomF32(d.OC, g), randomF32(ny, g)];
      const tol = 1e-5 * Math.sqrt(d.C * d.KH * d.KW + d.N * d.OH * d.OW);
      withAlgorithm(algorithm, () => {
        for (const bias of [null, b]) {
          // Outputs start non-zero: the kernels must overwrite them.
          const [yw, yj] = [randomF32(ny, g), new Float32Array(ny)];
          wasm.conv2dForward(d, x, w, bias, yw);
          js.conv2dForward(d, x, w, bias, yj);
          assertAgree(`${c[0]} forward bias=${!!bias}`, yw, yj, tol);
        }
        const [dxw, dxj] = [randomF32(nx, g), new Float32Array(nx)];
        wasm.conv2dBackwardInput(d, dy, w, dxw);
        js.conv2dBackwardInput(d, dy, w, dxj);
        assertAgree(`${c[0]} backward input`, dxw, dxj, tol);
        const [dww, dwj] = [randomF32(nw, g), new Float32Array(nw)];
        const [dbw, dbj] = [randomF32(d.OC, g), new Float32Array(d.OC)];
        wasm.conv2dBackwardWeight(d, x, dy, dww, dbw);
        js.conv2dBackwardWeight(d, x, dy, dwj, dbj);
        assertAgree(`${c[0]} backward weight`, dww, dwj, tol);
        assert.deepEqual(dbw, dbj, `${c[0]} backward bias: the reference's float64 summation order, bit for bit`);
      });
    });

  test(`wasm im2col / col2im = js at an offset: ${c[0]}`, () => {
    const d = dims(c);
    const gg = { ...d, C: d.C / d.groups };
    const g = new Generator(10);
    const off = 3;
    const img = randomF32(off + gg.C * gg.H * gg.W + 2, g);
    const n = gg.C * gg.KH * gg.KW * gg.OH * gg.OW;
    const [cw, cj] = [new Float32Array(n), new Float32Array(n)];
    wasm.im2col(gg, img, off, cw);
    js.im2col(gg, img, off, cj);
    assert.deepEqual(cw, cj, `${c[0]} im2col`);
    const [dw, dj] = [img.slice(), img.slice()];
    wasm.col2im(gg, cw, dw, off);
    js.col2im(gg, cw, dj, off);
    assertAgree(`${c[0]} col2im`, dw, dj);
  });
}

test("wasm conv2d forward on float64 storage is the reference, bit for bit", () => {
  const d = dims(CASES[3]);
  const g = new Generator(11);
  const x = Float64Array.from(randomF32(d.N * d.C * d.H * d.W, g));
  const w = Float64Array.from(randomF32(d.OC * d.C * d.KH * d.KW, g));
  const [yw, yj] = [new Float64Array(d.N * d.OC * d.OH * d.OW), new Float64Array(d.N * d.OC * d.OH * d.OW)];
  wasm.conv2dForward(d, x, w, null, yw);
  js.conv2dForward(d, x, w, null, yj);
  assert.deepEqual(yw, yj);
});

test("direct wasm conv2d: a NaN or infinity in the input reaches exactly the outputs whose window holds it", () => {
  const d = dims(["", 1, 1, 6, 9, 2, 3, 3, [1, 1], [1, 1], [1, 1], 1]);
  const x = new Float32Array(d.H * d.W).fill(0.5);
  x[2 * d.W + 8] = NaN; // row 2, last column: its windows overhang the row's last vector
  const w = new Float32Array(d.OC * 9).fill(1);
  const ny = d.OC * d.OH * d.OW;
  const [yw, yj] = [new Float32Array(ny), new Float32Array(ny)];
  withAlgorithm("direct", () => wasm.conv2dForward(d, x, w, null, yw));
  js.conv2dForward(d, x, w, null, yj);
  for (let i = 0; i < ny; i++) assert.equal(Number.isNaN(yw[i]), Number.isNaN(yj[i]), `output ${i}: wasm ${yw[i]}, js ${yj[i]}`);
  assert.ok(yj.some(Number.isNaN), "the case puts a NaN in some window");
  const dy = new Float32Array(ny).fill(1);
  dy[0] = Infinity; // only the taps that see x at output 0's window (padding zeros give NaN: 0 * inf)
  const [dww, dwj] = [new Float32Array(d.OC * 9), new Float32Array(d.OC * 9)];
  withAlgorithm("direct", () => wasm.conv2dBackwardWeight(d, x.fill(0.5), dy, dww));
  js.conv2dBackwardWeight(d, x, dy, dwj);
  for (let i = 0; i < dwj.length; i++) {
    const same = Number.isNaN(dwj[i]) ? Number.isNaN(dww[i]) : dww[i] === dwj[i] || Math.abs(dww[i] - dwj[i]) <= 1e-5 * Math.abs(dwj[i]);
    assert.ok(same, `weight gradient ${i} with an infinite dy: wasm ${dww[i]}, js ${dwj[i]}`);
  }
  assert.ok(dwj.some(Number.isNaN) && dwj.some((v) => v === Infinity), "the case gives both NaN and infinite gradients");
  // No padding, rows of 7 outputs: the weight gradient's masked last vector reads past the row
  // into the next one, where an infinity must not leak into taps that never see it.
  const e = dims(["", 1, 1, 5, 9, 2, 3, 3, [1, 1], [0, 0], [1, 1], 1]);
  const xe = new Float32Array(e.H * e.W).fill(0.25);
  xe[2 * e.W] = Infinity; // row 2, column 0: only kw = 0 taps see it
  const dye = new Float32Array(e.OC * e.OH * e.OW).fill(1);
  const [dwe, dwr] = [new Float32Array(e.OC * 9), new Float32Array(e.OC * 9)];
  withAlgorithm("direct", () => wasm.conv2dBackwardWeight(e, xe, dye, dwe));
  js.conv2dBackwardWeight(e, xe, dye, dwr);
  assert.deepEqual(Array.from(dwe, (v) => (Number.isFinite(v) ? "finite" : String(v))), Array.from(dwr, (v) => (Number.isFinite(v) ? "finite" : String(v))));
  assert.ok(dwr.some((v) => v === Infinity) && dwr.some(Number.isFinite), "some taps see the infinity, some do not");
});
