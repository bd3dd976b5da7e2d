// The WebAssembly weight gradient with four images in the lanes (src/kernels/wasm/assembly/
// conv/conv2d-weight-lanes.ts: groups of whole sets of 4 images, the missing images zero lanes)
// against the reference on random shapes; NaN placement; the same bits for 1, 2 and 3 threads,
// whether the threads take groups or (fewer groups than threads) channels.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { Generator } from "../../../../src/core/random.js";
import { lanesWeightGroups } from "../../../../src/kernels/wasm/conv/choose.js";
import { assertAgree, assertSameBits, js, startThreads } from "../parity.js";
import { assertSameForThreadCounts, bothGradients, dims, kernelGradients, randomWeightCase, tolerance, type Shape } from "./weight-gradient.js";

test("wasm lanes weight gradient = js on random shapes: batches of 1-9, narrow and wide rows, several groups", () => {
  const g = new Generator(43);
  const groupCounts = new Set<number>();
  let partial = 0, narrow = 0;
  for (let i = 0; i < 60; i++) {
    const d = randomWeightCase(g, i);
    const G = lanesWeightGroups(d);
    groupCounts.add(G);
    if (d.N % 4 !== 0) partial++;
    if (d.OW < 4) narrow++;
    const { got, want } = bothGradients("lanes", d, 200 + i);
    const label = `case ${i} (${G} groups): ${JSON.stringify(d)}`;
    assertAgree(label, got[0], want[0], tolerance(d));
    // the bias gradient sums in the reference's order (assembly/conv2d.ts conv2dBackwardBias)
    assertSameBits(`${label} db`, got[1], want[1]);
  }
  assert.ok(groupCounts.has(1) && groupCounts.size >= 2, `group counts seen: ${[...groupCounts]}`);
  assert.ok(partial >= 10 && narrow >= 3, `${partial} batches with empty lanes, ${narrow} rows narrower than 4`);
});

test("wasm lanes weight gradient: a NaN in x reaches exactly the taps that see it, in any lane, empty lanes adding nothing", () => {
  // 9 images: sets of 4, 4 and 1 (three lanes empty). A NaN in image 8 (the lone one) at the
  // left edge of channel 1 and an infinity in image 5 (lane 1 of the second set) at the right
  // edge of channel 0: without padding only the kw = 0 taps of channel 1 see column 0 and only
  // the kw = 2 taps of channel 0 see the last column (NaN where dy is 0 there, from 0 * inf).
  const d = dims([9, 2, 12, 11, 3, 3, 3, 0, 0]);
  const x = new Float32Array(d.N * d.C * d.H * d.W).fill(0.5);
  x[((8 * d.C + 1) * d.H + 4) * d.W + 0] = NaN;
  x[((5 * d.C + 0) * d.H + 6) * d.W + d.W - 1] = Infinity;
  const dy = new Float32Array(d.N * d.OC * d.OH * d.OW).fill(0.25);
  dy[((5 * d.OC + 1) * d.OH + 5) * d.OW + d.OW - 1] = 0;
  const want = new Float32Array(d.OC * d.C * 9);
  js.conv2dBackwardWeight(d, x, dy, want);
  const got = kernelGradients("lanes", d, x, dy, new Generator(7))[0];
  for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `dw ${i}: wasm ${got[i]}, js ${want[i]}`);
  for (let i = 0; i < want.length; i++) if (!Number.isNaN(want[i])) assert.equal(got[i], want[i], `dw ${i}`);
  // channel 1's kw = 0 taps of every oc and kh; channel 0's kw = 2 of oc 1, kh 1 (rows 4..6 of dy
  // see row 6, the zero sits at dy row 5 = row 6 - kh)
  assert.equal(want.filter(Number.isNaN).length, d.OC * 3 + 1, "the taps that see the NaN, and 0 * inf");
  assert.ok(want.filter((v) => v === Infinity).length > 0, "the infinity reaches some taps");
});

test("wasm lanes weight gradient and the bias gradient with it: the same bits for 1, 2 and 3 threads", async (t) => {
  const before = torch.getNumThreads();
  t.after(() => torch.setNumThreads(before));
  await startThreads(3);
  const cases: [string, Shape, number][] = [
    ["LeNet C1-like, 42 images (11 sets of 4, the last 2 lanes): 8 groups (threads take 2, 3, 3)", [42, 1, 28, 28, 6, 5, 5, 2, 2], 8],
    ["LeNet C3-like, 98 images (25 sets): 4 groups of 6, 6, 6, 7 sets (threads take 1, 1, 2)", [98, 6, 14, 14, 16, 5, 5, 0, 0], 4],
    ["7 images in 2 groups: threads take channel pairs (5 channels: 2, 2, 1)", [7, 3, 30, 30, 5, 3, 3, 1, 1], 2],
    ["2 images, one group of 2 lanes: channel pairs (11 channels: 4, 4, 3)", [2, 9, 24, 24, 11, 3, 3, 1, 1], 1],
  ];
  assertSameForThreadCounts("lanes", lanesWeightGroups, cases, 44);
});
