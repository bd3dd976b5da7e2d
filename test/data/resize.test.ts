// resize (torchvision's Resize on a tensor, bilinear, antialias off): sizes, values equal to
// F.interpolate (whose values are checked against PyTorch in golden/d2l-ops.test.ts), batches.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { Resize, compose, normalize, resize } from "../../src/data/transforms.js";

test("resize(96) takes a 28x28 image to 96x96 with the values of bilinear interpolate", () => {
  const img = torch.rand([1, 28, 28], { generator: new torch.Generator(1) });
  const y = resize(96)(img);
  assert.deepEqual(y.shape, [1, 96, 96]);
  const ref = torch.F.interpolate(img.reshape([1, 1, 28, 28]), { size: [96, 96], mode: "bilinear", alignCorners: false });
  assert.deepEqual(y.data, ref.data);
  assert.equal(Resize, resize);
});

test("a number sets the smaller edge and keeps the aspect ratio; [h, w] sets both", () => {
  assert.deepEqual(resize(5)(torch.zeros([3, 10, 21])).shape, [3, 5, 10]);
  assert.deepEqual(resize(5)(torch.zeros([3, 21, 10])).shape, [3, 10, 5]);
  assert.deepEqual(resize([4, 7])(torch.zeros([1, 10, 10])).shape, [1, 4, 7]);
  assert.throws(() => resize(0), /resize: size must be a positive integer or \[h, w\], got 0/);
  assert.throws(() => resize(4)(torch.zeros([4, 4])), /resize: expected \(C,H,W\) or \(N,C,H,W\), got \[4, 4\]/);
});

test("resize is batchable: a (N,C,H,W) batch gives the same images as one by one", () => {
  const t = compose([resize(12), normalize(0.5, 0.5)]);
  assert.equal(t.batchable, true);
  const batch = torch.rand([2, 1, 8, 8], { generator: new torch.Generator(2) });
  const y = t(batch);
  assert.deepEqual(y.shape, [2, 1, 12, 12]);
  const second = t(torch.tensor(batch.data.slice(64), { shape: [1, 8, 8] }));
  assert.deepEqual(y.data.subarray(144), second.data);
});
