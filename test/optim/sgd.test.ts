// SGD's update rule element by element, against torch.optim.SGD's formulas written out here:
// plain SGD (the unrolled loop and its tail), weight decay, momentum; float32 and float64.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

/** A parameter of n values and a gradient for it, both from a seeded generator. */
function paramWithGrad(n: number, dtype: "float32" | "float64", seed: number): Tensor {
  const g = new torch.Generator(seed);
  const p = torch.randn([n], { dtype, generator: g, requiresGrad: true });
  p.grad = torch.randn([n], { dtype, generator: g });
  return p;
}

const round = (dtype: "float32" | "float64", v: number) => (dtype === "float32" ? Math.fround(v) : v);

for (const dtype of ["float32", "float64"] as const) {
  // Lengths around the unrolled loop's step of eight, and the logistic regression's 784.
  for (const n of [1, 7, 8, 13, 784, 787]) {
    test(`${dtype}, ${n} values: plain SGD is p - lr * g, rounded once to the dtype`, () => {
      const p = paramWithGrad(n, dtype, n);
      const [w, grad] = [Array.from(p.data), Array.from(p.grad!.data)];
      new torch.optim.SGD([p], { lr: 0.0255 }).step();
      assert.deepEqual(Array.from(p.data), w.map((v, i) => round(dtype, v - 0.0255 * grad[i])));
    });
  }

  test(`${dtype}: weight decay and momentum follow PyTorch's formulas over two steps`, () => {
    const [lr, momentum, wd] = [0.1, 0.9, 0.01];
    const p = paramWithGrad(11, dtype, 5);
    const w = Array.from(p.data);
    const grad = Array.from(p.grad!.data);
    const opt = new torch.optim.SGD([p], { lr, momentum, weightDecay: wd });
    opt.step();
    const buf = w.map((v, i) => round(dtype, grad[i] + wd * v)); // first step: buf = g
    const w1 = w.map((v, i) => round(dtype, v - lr * buf[i]));
    assert.deepEqual(Array.from(p.data), w1);
    opt.step();
    const buf2 = w1.map((v, i) => round(dtype, momentum * buf[i] + (grad[i] + wd * v)));
    assert.deepEqual(Array.from(p.data), w1.map((v, i) => round(dtype, v - lr * buf2[i])));
  });
}

test("without weight decay an infinite weight stays infinite (PyTorch skips the decay term, no 0 * inf)", () => {
  const p = torch.tensor([Infinity, -Infinity, 1], { requiresGrad: true });
  p.grad = torch.tensor([1, 1, 1]);
  new torch.optim.SGD([p], { lr: 0.5 }).step();
  assert.deepEqual(Array.from(p.data), [Infinity, -Infinity, 0.5]);
});

test("with momentum, and in Adam, no weight decay means no decay term either: an infinite weight stays infinite", () => {
  const make = () => {
    const p = torch.tensor([Infinity, 1], { requiresGrad: true });
    p.grad = torch.tensor([1, 1]);
    return p;
  };
  const sgd = make();
  new torch.optim.SGD([sgd], { lr: 0.5, momentum: 0.9 }).step();
  assert.deepEqual(Array.from(sgd.data), [Infinity, 0.5]);
  const adam = make();
  new torch.optim.Adam([adam], { lr: 0.1 }).step();
  assert.equal(adam.data[0], Infinity);
  assert.ok(Math.abs(adam.data[1] - 0.9) < 1e-6, `Adam's first step moves a weight by lr: ${adam.data[1]}`);
});
