// Shared by the tests of the two direct weight-gradient kernels (conv2d-weight.test.ts: the
// row kernel, conv2d-weight-lanes.test.ts: four images in the lanes): shapes, one kernel's
// gradients against the reference, and the 1/2/3-thread bit-identity check.

import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { slidingOutputSize, type Conv2dDims } from "../../../../src/kernels/index.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, assertSameBits, js, randomF32, scrubStaging, wasm } from "../parity.js";

/** [N, C, H, W, OC, KH, KW, PH, PW] */
export type Shape = [number, number, number, number, number, number, number, number, number];

export function dims([N, C, H, W, OC, KH, KW, PH, PW]: Shape): Conv2dDims {
  const [OH, OW] = [slidingOutputSize(H, KH, 1, PH, 1), slidingOutputSize(W, KW, 1, PW, 1)];
  return { N, C, H, W, OC, KH, KW, SH: 1, SW: 1, PH, PW, DH: 1, DW: 1, OH, OW, groups: 1 };
}

/**
 * Random case i of a weight-gradient test: 1x1-5x5 kernels with padding 0-2, rows narrower than
 * a vector (OW < 4) to wide ones (several vectors and a tail); every fifth case large enough
 * (batch 8 or 9, ~2000 positions an image pair) for the most groups. Draws from g in a fixed order.
 */
export function randomWeightCase(g: Generator, i: number): Conv2dDims {
  const pick = (xs: number[]) => xs[g.randint(xs.length)];
  const [KH, KW] = [pick([1, 3, 5]), pick([1, 3, 5])];
  const [PH, PW] = [pick([0, 1, 2]), pick([0, 1, 2])];
  const big = i % 5 === 0;
  const H = Math.max(1, KH - 2 * PH) + (big ? 40 : 0) + g.randint(i % 2 ? 8 : 24);
  const W = Math.max(1, KW - 2 * PW) + (big ? 48 : 0) + g.randint(i % 3 ? 50 : 4);
  return dims([big ? 8 + g.randint(2) : 1 + g.randint(9), 1 + g.randint(7), H, W, 1 + g.randint(7), KH, KW, PH, PW]);
}

export type WeightKernel = "direct" | "lanes";

/** dw and db by one kernel, forced (starting from garbage: they must be overwritten). */
export function kernelGradients(kernel: WeightKernel, d: Conv2dDims, x: Float32Array, dy: Float32Array, g: Generator): Float32Array[] {
  const got = [randomF32(d.OC * d.C * d.KH * d.KW, g), randomF32(d.OC, g)];
  convAlgorithm.force = kernel;
  try {
    wasm.conv2dBackwardWeight(d, x, dy, got[0], got[1]);
  } finally {
    convAlgorithm.force = "auto";
  }
  return got;
}

/** dw and db from the kernel and from js on random operands. */
export function bothGradients(kernel: WeightKernel, d: Conv2dDims, seed: number): { got: Float32Array[]; want: Float32Array[] } {
  const g = new Generator(seed);
  const x = randomF32(d.N * d.C * d.H * d.W, g);
  const dy = randomF32(d.N * d.OC * d.OH * d.OW, g);
  const want = [new Float32Array(d.OC * d.C * d.KH * d.KW), new Float32Array(d.OC)];
  js.conv2dBackwardWeight(d, x, dy, want[0], want[1]);
  return { got: kernelGradients(kernel, d, x, dy, g), want };
}

/** The tolerance of test/kernels/wasm/conv/conv2d.test.ts. */
export const tolerance = (d: Conv2dDims) => 1e-5 * Math.sqrt(d.C * d.KH * d.KW + d.N * d.OH * d.OW);

/**
 * Each case ([label, shape, its group count]) with 1, 2 and 3 threads (already started): dw
 * agrees with js, db equals it, and both are the same bits for every thread count.
 */
export function assertSameForThreadCounts(kernel: WeightKernel, groupsOf: (d: Conv2dDims) => number, cases: [string, Shape, number][], seed: number): void {
  for (const [label, shape, groups] of cases) {
    const d = dims(shape);
    assert.equal(groupsOf(d), groups, `${label}: groups`);
    const macs = d.N * d.OC * d.OH * d.OW * d.C * d.KH * d.KW;
    assert.ok(macs >= 3 << 18, `${label}: ${macs} multiply-adds get fewer than 3 threads; the case tests less than it says`);
    const runs = [1, 2, 3].map((threads) => {
      torch.setNumThreads(threads);
      scrubStaging();
      return bothGradients(kernel, d, seed);
    });
    const { got: one, want } = runs[0];
    assertAgree(label, one[0], want[0], tolerance(d));
    assertSameBits(`${label} db`, one[1], want[1]);
    runs.forEach(({ got }, k) => {
      assertSameBits(`${label}: dw, ${k + 1} threads vs 1`, got[0], one[0]);
      assertSameBits(`${label}: db, ${k + 1} threads vs 1`, got[1], one[1]);
    });
  }
}
