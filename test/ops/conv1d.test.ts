// conv1d and conv2d's padding "same" / "valid": d2l's shapes, conv1d equal to a conv2d of
// height 1, gradient checks, and the hyper-parameter errors (before any work).
// Values against PyTorch: golden/d2l-ops.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";

const { F, nn } = torch;

test("d2l 7.1: Conv1d(1, 16, 3) on a length-100 signal gives [1, 16, 98]; a 1x1 Conv2d keeps 32x32", () => {
  assert.deepEqual(new nn.Conv1d(1, 16, 3).forward(torch.randn([1, 1, 100])).shape, [1, 16, 98]);
  assert.deepEqual(new nn.Conv2d(3, 64, 1).forward(torch.randn([1, 3, 32, 32])).shape, [1, 64, 32, 32]);
  assert.deepEqual(new nn.Conv2d(3, 64, 3).forward(torch.randn([1, 3, 32, 32])).shape, [1, 64, 30, 30]);
  assert.deepEqual(new nn.Conv2d(3, 64, 3, { padding: 1 }).forward(torch.randn([1, 3, 32, 32])).shape, [1, 64, 32, 32]);
});

test("conv1d is conv2d over a height-1 image", () => {
  const g = new torch.Generator(2);
  const x = torch.randn([2, 4, 9], { generator: g });
  const w = torch.randn([6, 2, 3], { generator: g });
  const y = F.conv1d(x, w, null, { stride: 2, padding: 1, dilation: 2, groups: 2 });
  const y2 = F.conv2d(x.reshape([2, 4, 1, 9]), w.reshape([6, 2, 1, 3]), null, { stride: [1, 2], padding: [0, 1], dilation: [1, 2], groups: 2 });
  assert.deepEqual(y.toArray(), y2.reshape([2, 6, y2.shape[3]]).toArray());
});

test('padding "same" keeps the size for odd and even kernels; "valid" is no padding', () => {
  for (const k of [1, 2, 3, 4, 5]) {
    assert.deepEqual(F.conv1d(torch.zeros([1, 2, 7]), torch.zeros([3, 2, k]), null, { padding: "same" }).shape, [1, 3, 7]);
    assert.deepEqual(F.conv2d(torch.zeros([1, 2, 6, 5]), torch.zeros([3, 2, k, 2]), null, { padding: "same", dilation: [1, 2] }).shape, [1, 3, 6, 5]);
  }
  assert.deepEqual(F.conv2d(torch.zeros([1, 2, 6, 5]), torch.zeros([3, 2, 3, 3]), null, { padding: "valid" }).shape, [1, 3, 4, 3]);
  assert.deepEqual(new nn.Conv1d(2, 3, 4, { padding: "same" }).forward(torch.zeros([2, 9])).shape, [3, 9]);
});

test("gradcheck: conv1d with stride, padding, dilation, groups and bias", () => {
  const g = new torch.Generator(4);
  const [x, w, b] = [randn64([2, 4, 9], g), randn64([4, 2, 3], g), randn64([4], g)];
  gradcheck((a, c, d) => F.conv1d(a, c, d, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [x, w, b], { name: "conv1d" });
});

test('gradcheck: conv2d padding "same" with an even kernel (extra row at the bottom)', () => {
  const g = new torch.Generator(6);
  const [x, w] = [randn64([1, 2, 5, 4], g), randn64([2, 2, 2, 3], g)];
  gradcheck((a, c) => F.conv2d(a, c, null, { padding: "same" }), [x, w], { name: "conv2d same" });
});

test("invalid hyper-parameters are errors naming the op and the values", () => {
  const x = torch.zeros([1, 4, 5]);
  assert.throws(() => F.conv1d(x, torch.zeros([2, 4, 6])), /conv1d: kernel size 6 \(dilation 1\) is larger than the padded input length 5/);
  assert.throws(() => F.conv1d(x, torch.zeros([2, 4, 3]), null, { stride: 0 }), /conv1d: stride must be a positive integer \(or a one-element list\), got 0/);
  assert.throws(() => F.conv1d(x, torch.zeros([2, 2, 3]), null, { groups: 3 }), /conv1d: groups=3 must divide both input channels \(4\) and output channels \(2\)/);
  assert.throws(() => F.conv1d(x, torch.zeros([2, 4, 3]), null, { padding: "same", stride: 2 }), /conv1d: padding "same" is not supported for strided convolutions/);
  assert.throws(() => F.conv2d(torch.zeros([1, 1, 4, 4]), torch.zeros([1, 1, 3, 3]), null, { padding: "same", stride: 2 }), /conv2d: padding "same" is not supported for strided convolutions \(stride 2\)/);
  assert.throws(() => F.conv2d(torch.zeros([1, 1, 4, 4]), torch.zeros([1, 1, 3, 3]), null, { stride: 0 }), /conv2d: stride must be a positive integer, got 0/);
  assert.throws(() => F.conv2d(torch.zeros([1, 1, 2, 2]), torch.zeros([1, 1, 3, 3])), /conv2d: kernel size 3x3 \(dilation 1x1\) is larger than the padded input 2x2/);
  assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /Conv2d: groups=2 must divide both inChannels \(3\) and outChannels \(4\)/);
  assert.throws(() => new nn.Conv1d(2, 4, 3, { padding: "same", stride: 2 }), /Conv1d: padding "same" is not supported for strided convolutions \(stride 2\)/);
  assert.throws(() => F.maxPool2d(torch.zeros([1, 1, 2, 2]), 3), /maxPool2d: kernel size 3x3 is larger than the padded input 2x2/);
  assert.throws(() => F.avgPool2d(torch.zeros([1, 1, 4, 4]), 2, { stride: 0 }), /avgPool2d: stride must be a positive integer, got 0/);
});
