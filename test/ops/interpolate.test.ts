// F.interpolate: d2l's fractional stride (8x8 -> 5x5), nearest and bilinear by hand, gradient
// checks for every mode, and the argument errors. Values against PyTorch: golden/d2l-ops.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";

const { F } = torch;

test("d2l 7.3: a stride of about sqrt(2), bilinear with alignCorners, takes 8x8 to 5x5", () => {
  const y = F.interpolate(torch.randn([1, 1, 8, 8]), { scaleFactor: 1 / 1.414, mode: "bilinear", alignCorners: true });
  assert.deepEqual(y.shape, [1, 1, 5, 5]);
});

test("bilinear keeps corners with alignCorners and averages neighbours without", () => {
  const x = torch.tensor([[[[0, 1], [2, 3]]]]);
  const aligned = F.interpolate(x, { size: 3, mode: "bilinear", alignCorners: true });
  assert.deepEqual(aligned.reshape([3, 3]).toArray(), [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]]);
  // alignCorners false: output pixel o samples (o + 0.5) * 2/4 - 0.5, clamped at 0.
  const half = F.interpolate(x, { size: 4, mode: "bilinear" });
  assert.deepEqual((half.reshape([4, 4]).toArray() as number[][])[0], [0, 0.25, 0.75, 1]);
});

test("nearest picks floor(o * in / out); 1-D inputs (N, C, L) work too", () => {
  const x = torch.tensor([[[1, 2, 3]]]);
  assert.deepEqual(F.interpolate(x, { size: 7 }).toArray(), [[[1, 1, 1, 2, 2, 3, 3]]]);
  assert.deepEqual(F.interpolate(x, { scaleFactor: 2 }).toArray(), [[[1, 1, 2, 2, 3, 3]]]);
});

const cases = [
  { name: "bilinear upsampling [5, 7]", o: { size: [5, 7], mode: "bilinear" } },
  { name: "bilinear alignCorners downsampling 0.6", o: { scaleFactor: 0.6, mode: "bilinear", alignCorners: true } },
  { name: "nearest scale 1.5", o: { scaleFactor: 1.5, mode: "nearest" } },
] as const;
for (const c of cases) {
  test(`gradcheck: ${c.name} of (1, 2, 4, 5)`, () => {
    const x = randn64([1, 2, 4, 5], new torch.Generator(3));
    gradcheck((t) => F.interpolate(t, { ...c.o, size: "size" in c.o ? [...c.o.size] : undefined }), [x], { name: c.name });
  });
}

test("errors name the op and the values, before any work", () => {
  const x = torch.zeros([1, 1, 4, 4]);
  assert.throws(() => F.interpolate(x, { mode: "bilinear" }), /interpolate: either size or scaleFactor should be defined/);
  assert.throws(() => F.interpolate(x, { size: 2, scaleFactor: 2 }), /interpolate: only one of size or scaleFactor should be defined \(size 2, scaleFactor 2\)/);
  assert.throws(() => F.interpolate(torch.zeros([1, 1, 4]), { size: 2, mode: "bilinear" }), /interpolate: bilinear mode needs a 4-D \(N, C, H, W\) input, got shape \[1, 1, 4\]/);
  assert.throws(() => F.interpolate(x, { size: 2, alignCorners: true }), /interpolate: alignCorners can only be set with the interpolating mode "bilinear"/);
  assert.throws(() => F.interpolate(x, { scaleFactor: 0.1 }), /interpolate: input and output sizes should be greater than 0, but got input \[4, 4\] and output \[0, 0\]/);
  assert.throws(() => F.interpolate(x, { size: [2, 2, 2] }), /interpolate: size \[2,2,2\] has 3 values for 2 spatial dims/);
  assert.throws(() => F.interpolate(x, { scaleFactor: -1 }), /interpolate: scaleFactor must be positive and finite, got -1/);
});
