// F.batchNorm: values and running statistics by hand, the hand-written backward against
// finite differences in training and in evaluation mode (also with a ReLU fused), the wasm
// kernels against the js ones, and errors.
// Values against PyTorch: golden/d2l-ops.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { Parameter } from "../../src/nn/parameter.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";
import { assertAgree } from "../kernels/wasm/parity.js";

const { F } = torch;

test("training normalises with the batch statistics and updates the running ones (unbiased variance)", () => {
  // One channel, values 1..4: mean 2.5, biased variance 1.25, unbiased 5/3.
  const x = torch.tensor([[1], [2], [3], [4]]);
  const rm = torch.zeros([1]);
  const rv = torch.ones([1]);
  const y = F.batchNorm(x, rm, rv, null, null, true, 0.1, 0);
  const s = Math.sqrt(1.25);
  (y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - (i + 1 - 2.5) / s) < 1e-6));
  assert.ok(Math.abs(rm.data[0] - 0.25) < 1e-7);
  assert.ok(Math.abs(rv.data[0] - (0.9 + 0.1 * (5 / 3))) < 1e-6);
  // Evaluation uses the running statistics and leaves them alone.
  const e = F.batchNorm(torch.tensor([[2]]), rm, rv, torch.tensor([2]), torch.tensor([1]), false);
  assert.ok(Math.abs(e.data[0] - ((2 - rm.data[0]) / Math.sqrt(rv.data[0] + 1e-5)) * 2 - 1) < 1e-6);
  assert.ok(Math.abs(rm.data[0] - 0.25) < 1e-7);
});

for (const training of [true, false]) {
  for (const shape of [[4, 3], [2, 3, 5], [2, 3, 2, 3]]) {
    test(`gradcheck (${training ? "train" : "eval"} mode): x, weight and bias of shape [${shape}]`, () => {
      const g = new torch.Generator(11);
      const x = randn64(shape, g);
      const w = randn64([3], g);
      const b = randn64([3], g);
      const rm = randn64([3], g, false);
      const rv = torch.rand([3], { dtype: "float64", generator: g }).add(0.5);
      // Running statistics move on every training call; copies keep each call identical.
      const fn = (xi: torch.Tensor, wi: torch.Tensor, bi: torch.Tensor) => F.batchNorm(xi, rm.clone(), rv.clone(), wi, bi, training, 0.1, 1e-5);
      gradcheck(fn, [x, w, b], { name: `batchNorm ${training ? "train" : "eval"}` });
    });
  }
}

test("errors name the op and the values", () => {
  const x = torch.zeros([1, 3]);
  assert.throws(() => F.batchNorm(x, null, null, null, null, true), /batchNorm: expected more than 1 value per channel when training, got input size \[1, 3\]/);
  assert.throws(() => F.batchNorm(torch.zeros([2, 3]), null, null), /batchNorm: runningMean and runningVar must be given in evaluation mode/);
  assert.throws(() => F.batchNorm(torch.zeros([2, 3]), torch.zeros([4]), torch.ones([4]), null, null, true), /batchNorm: expected runningMean of shape \[3\] for input \[2, 3\], got \[4\]/);
  assert.throws(() => F.batchNorm(torch.zeros([3]), null, null, null, null, true), /batchNorm: expected an input of at least 2 dims/);
});

for (const training of [true, false]) {
  test(`gradcheck (${training ? "train" : "eval"} mode): Sequential(BatchNorm2d, ReLU) fused, input, weight and bias`, () => {
    const g = new torch.Generator(12);
    const bn = new torch.nn.BatchNorm2d(3);
    bn.weight = new Parameter(randn64([3], g, false));
    bn.bias = new Parameter(randn64([3], g, false));
    bn.train(training);
    const seq = new torch.nn.Sequential(bn, new torch.nn.ReLU());
    const x = randn64([2, 3, 2, 3], g);
    assert.equal(seq.forward(x).gradFn?.op, "batchNorm", "fused: one node");
    gradcheck((input) => seq.forward(input), [x, bn.weight, bn.bias], { name: `batchNorm+relu ${training ? "train" : "eval"}` });
  });
}

test("float32 batch norm: the wasm kernels agree with the js ones (values and gradients to 1e-6), train and eval", (t) => {
  const before = torch.getBackend();
  t.after(() => torch.setBackend(before));
  // 7 x 5 x 577: over the wasm wrappers' minimum, planes not a multiple of 4 floats.
  const run = (backend: "js" | "wasm", training: boolean) => {
    torch.setBackend(backend);
    const g = new torch.Generator(13);
    const x = torch.randn([7, 5, 577], { generator: g, requiresGrad: true });
    const [w, b] = [torch.randn([5], { generator: g, requiresGrad: true }), torch.randn([5], { generator: g, requiresGrad: true })];
    const [rm, rv] = [torch.randn([5], { generator: g }), torch.rand([5], { generator: g }).add(0.5)];
    const y = F.batchNorm(x, rm, rv, w, b, training, 0.1, 1e-5);
    y.backward(torch.randn(y.shape, { generator: g }));
    return [y, x.grad!, w.grad!, b.grad!, rm, rv].map((v) => Array.from(v.data));
  };
  for (const training of [true, false]) {
    const [got, want] = [run("wasm", training), run("js", training)];
    want.forEach((v, i) => assertAgree(`${training ? "train" : "eval"} output ${i}`, got[i], v, 1e-6));
  }
});
