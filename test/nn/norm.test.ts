// BatchNorm1d/2d modules: PyTorch's state-dict keys and initial values, train() vs eval(),
// num_batches_tracked, trackRunningStats false, affine false, and input checks.
// Running statistics over several steps against PyTorch: golden/d2l-ops.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";

const { nn } = torch;

test("BatchNorm2d(3): weight ones, bias zeros, running_mean zeros, running_var ones, num_batches_tracked 0", () => {
  const bn = new nn.BatchNorm2d(3);
  const sd = bn.stateDict();
  assert.deepEqual(Object.keys(sd), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
  assert.deepEqual([...sd.weight.data, ...sd.bias.data, ...sd.running_mean.data, ...sd.running_var.data], [1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(sd.num_batches_tracked.shape, []);
  assert.deepEqual(bn.parameters().length, 2);
  assert.equal(String(bn), "BatchNorm2d(3, eps=0.00001, momentum=0.1, affine=true, track_running_stats=true)");
});

test("train() normalises each channel of the batch and counts batches; eval() uses the running statistics", () => {
  const bn = new nn.BatchNorm2d(2);
  const x = torch.randn([4, 2, 3, 3], { generator: new torch.Generator(1) }).mul(3).add(5);
  const y = bn.forward(x);
  for (let c = 0; c < 2; c++) {
    const vals = [];
    for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) vals.push(y.data[(n * 2 + c) * 9 + i]);
    const mean = vals.reduce((a, b) => a + b) / vals.length;
    const v = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(v - 1) < 1e-3, `channel ${c}: mean ${mean}, var ${v}`);
  }
  assert.equal(bn.getBuffer("num_batches_tracked").item(), 1);
  bn.eval();
  const before = bn.getBuffer("running_mean").clone();
  const e = bn.forward(x);
  assert.equal(bn.getBuffer("num_batches_tracked").item(), 1);
  assert.deepEqual(bn.getBuffer("running_mean").data, before.data);
  const rm = bn.getBuffer("running_mean").data[0];
  const rv = bn.getBuffer("running_var").data[0];
  assert.ok(Math.abs(e.data[0] - (x.data[0] - rm) / Math.sqrt(rv + 1e-5)) < 1e-5);
});

test("trackRunningStats false: no buffers, batch statistics in eval() too; affine false: no parameters", () => {
  const bn = new nn.BatchNorm1d(3, { trackRunningStats: false, affine: false });
  assert.deepEqual(Object.keys(bn.stateDict()), []);
  bn.eval();
  const y = bn.forward(torch.tensor([[1, 2, 3], [3, 4, 9]]));
  assert.deepEqual([...y.data].map((v) => Math.round(v * 1e4) / 1e4), [-1, -1, -1, 1, 1, 1]);
});

test("BatchNorm1d takes (N, C) and (N, C, L); wrong ranks and channel counts are errors", () => {
  const bn = new nn.BatchNorm1d(4);
  assert.deepEqual(bn.forward(torch.randn([3, 4])).shape, [3, 4]);
  assert.deepEqual(bn.forward(torch.randn([3, 4, 5])).shape, [3, 4, 5]);
  assert.throws(() => bn.forward(torch.randn([3, 4, 5, 6])), /BatchNorm1d: expected 2D or 3D input, got shape \[3, 4, 5, 6\]/);
  assert.throws(() => new nn.BatchNorm2d(4).forward(torch.randn([3, 4])), /BatchNorm2d: expected 4D input, got shape \[3, 4\]/);
  assert.throws(() => new nn.BatchNorm2d(4).forward(torch.randn([2, 3, 2, 2])), /BatchNorm2d: expected 4 channels \(dim 1\), got input of shape \[2, 3, 2, 2\]/);
  assert.throws(() => new nn.BatchNorm2d(0), /BatchNorm2d: numFeatures must be a positive integer, got 0/);
});

test("the state dict round-trips through loadStateDict (PyTorch's keys)", () => {
  const a = new nn.BatchNorm2d(2);
  a.forward(torch.randn([3, 2, 2, 2]));
  const b = new nn.BatchNorm2d(2);
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.getBuffer("running_var").data, a.getBuffer("running_var").data);
  assert.equal(b.getBuffer("num_batches_tracked").item(), 1);
});
