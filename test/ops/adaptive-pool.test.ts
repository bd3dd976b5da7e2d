// Adaptive pooling: equal to fixed pooling when the size divides, global pooling, gradient
// checks with overlapping windows, and errors. Values against PyTorch: golden/d2l-ops.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";

const { F } = torch;

test("when the output size divides the input, adaptive pooling is pooling with kernel = stride = in / out", () => {
  const x = torch.randn([2, 3, 6, 8], { generator: new torch.Generator(1) });
  assert.deepEqual(F.adaptiveAvgPool2d(x, [3, 2]).toArray(), F.avgPool2d(x, [2, 4]).toArray());
  assert.deepEqual(F.adaptiveMaxPool2d(x, [3, 2]).toArray(), F.maxPool2d(x, [2, 4]).toArray());
});

test("outputSize 1 is the global average; null keeps a dim", () => {
  const x = torch.arange(12).reshape([1, 1, 3, 4]);
  assert.deepEqual(F.adaptiveAvgPool2d(x, 1).toArray(), [[[[5.5]]]]);
  assert.deepEqual(F.adaptiveMaxPool2d(x, [null, 1]).reshape([3]).toArray(), [3, 7, 11]);
  assert.deepEqual(new torch.nn.AdaptiveAvgPool2d([1, 1]).forward(torch.ones([2, 5, 3, 3])).shape, [2, 5, 1, 1]);
});

for (const op of ["adaptiveAvgPool2d", "adaptiveMaxPool2d"] as const) {
  test(`gradcheck: ${op} 5x7 -> [3, 4] (overlapping windows)`, () => {
    const x = randn64([1, 2, 5, 7], new torch.Generator(5));
    gradcheck((t) => F[op](t, [3, 4]), [x], { name: op });
  });
}

test("errors name the op and the values", () => {
  assert.throws(() => F.adaptiveAvgPool2d(torch.zeros([4, 4]), 2), /adaptiveAvgPool2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got shape \[4, 4\]/);
  assert.throws(() => F.adaptiveMaxPool2d(torch.zeros([1, 1, 4, 4]), 0), /adaptiveMaxPool2d: outputSize must hold positive integers \(or null\), got 0/);
});

test("gradcheck: adaptiveAvgPool2d with equal windows (global pooling, 6x4 -> [3, 2]), which runs on the pooling kernels", () => {
  for (const size of [1, [3, 2]] as const) {
    const x = randn64([2, 3, 6, 4], new torch.Generator(6));
    gradcheck((t) => F.adaptiveAvgPool2d(t, size), [x], { name: `adaptiveAvgPool2d ${JSON.stringify(size)}` });
  }
});

test("global average pooling on the WebAssembly kernels agrees with the reference, forward and backward (ResNet's head: 512 channels of 3x3)", (t) => {
  const before = torch.getBackend();
  t.after(() => torch.setBackend(before));
  const run = (backend: "wasm" | "js") => {
    torch.setBackend(backend);
    const x = torch.randn([16, 512, 3, 3], { generator: new torch.Generator(7), requiresGrad: true });
    const y = F.adaptiveAvgPool2d(x, 1);
    y.mul(torch.randn([16, 512, 1, 1], { generator: new torch.Generator(8) })).sum().backward();
    return { y: Array.from(y.data), dx: Array.from(x.grad!.data) };
  };
  const [w, j] = [run("wasm"), run("js")];
  for (const [k, a, b] of [["y", w.y, j.y], ["dx", w.dx, j.dx]] as const) {
    for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(b[i])), `${k}[${i}]: ${a[i]} vs ${b[i]}`);
  }
});
