// The WebAssembly direct weight gradient (src/kernels/wasm/assembly/conv/conv2d-weight.ts: groups of
// images summed into their own blocks, then added up in order) against the reference: random
// shapes whose batches make one group, several uneven ones and the most; and the same bits for 1,
// 2 and 3 threads, whether the threads take groups or (fewer groups than threads) channels.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { directWeightGroups } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, assertSameBits, js, startThreads } from "../parity.js";
import { assertSameForThreadCounts, bothGradients, dims, kernelGradients, randomWeightCase, tolerance, type Shape } from "./weight-gradient.js";

test("wasm direct weight gradient = js on random shapes: one group, uneven groups, the most groups", () => {
  const g = new Generator(41);
  const groupCounts = new Set<number>();
  let uneven = 0;
  for (let i = 0; i < 60; i++) {
    const d = randomWeightCase(g, i);
    const G = directWeightGroups(d);
    groupCounts.add(G);
    if (d.N % G !== 0) uneven++;
    const { got, want } = bothGradients("direct", d, 100 + i);
    const label = `case ${i} (${G} groups): ${JSON.stringify(d)}`;
    assertAgree(label, got[0], want[0], tolerance(d));
    // the bias gradient sums in the reference's order (assembly/conv2d.ts conv2dBackwardBias)
    assertSameBits(`${label} db`, got[1], want[1]);
  }
  // Guards against shapes that never leave one group (the path this change is about).
  assert.ok(groupCounts.has(1) && groupCounts.has(8), `group counts seen: ${[...groupCounts]}`);
  assert.ok(groupCounts.size >= 4 && uneven >= 3, `group counts ${[...groupCounts]}, ${uneven} cases with uneven groups`);
});

test("wasm direct weight gradient: a NaN in x reaches exactly the taps that see it, whichever group holds it", () => {
  // 9 images in 3 groups; the NaN sits in the last image (the last group), at the left edge of
  // channel 1, row 4: without padding only the kw = 0 taps of channel 1 see column 0.
  const d = dims([9, 2, 20, 40, 3, 3, 3, 0, 0]);
  assert.equal(directWeightGroups(d), 3);
  const x = new Float32Array(d.N * d.C * d.H * d.W).fill(0.5);
  x[((8 * d.C + 1) * d.H + 4) * d.W + 0] = NaN;
  const dy = new Float32Array(d.N * d.OC * d.OH * d.OW).fill(0.25);
  const want = new Float32Array(d.OC * d.C * 9);
  js.conv2dBackwardWeight(d, x, dy, want);
  const got = kernelGradients("direct", d, x, dy, new Generator(7))[0];
  for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `dw ${i}: wasm ${got[i]}, js ${want[i]}`);
  // Row 4 is seen by every kh (from output rows 2, 3, 4).
  assert.equal(want.filter(Number.isNaN).length, d.OC * 3, "the kw = 0 taps of channel 1, every kh, every output channel");
});

test("wasm direct weight gradient and the bias gradient with it: the same bits for 1, 2 and 3 threads", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(3);
  const cases: [string, Shape, number][] = [
    // dy's 198K values also give the bias gradient 3 threads (conv2d.ts biasGrad, warm workers)
    ["LeNet C1-like, 42 images: 8 groups (3 threads take 2, 3 and 3)", [42, 1, 28, 28, 6, 5, 5, 2, 2], 8],
    ["7 images in 3 uneven groups (2, 2, 3)", [7, 3, 30, 30, 5, 3, 3, 1, 1], 3],
    ["2 images, one group: threads take channel pairs (11 channels: 4, 4, 3)", [2, 9, 24, 24, 11, 3, 3, 1, 1], 1],
  ];
  assertSameForThreadCounts("direct", directWeightGroups, cases, 42);
});
