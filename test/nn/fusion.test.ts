// nn/fusion.ts: which modules fuse (the one rule: the forward written next to the opt-in method
// runs), chain's view steps, and forwardThen. The fused values themselves: test/ops/fused.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { chain, consumesPrivately, forwardFused, forwardThen, fusableActivation, viewAs } from "../../src/nn/fusion.js";

const { nn } = torch;
const x = () => torch.randn([2, 1, 6, 6], { generator: new torch.Generator(21), requiresGrad: true });

test("an activation fuses unless its forward is patched or replaced by a subclass; a subclass that keeps forward still fuses", () => {
  assert.deepEqual([new nn.Tanh(), new nn.ReLU(), new nn.Sigmoid()].map(fusableActivation), ["tanh", "relu", "sigmoid"]);
  class LeakyLooking extends nn.ReLU {
    override forward(input: Tensor): Tensor {
      return torch.maximum(input, torch.mul(input, 0.01));
    }
  }
  assert.equal(fusableActivation(new LeakyLooking()), null);
  const patched = new nn.Tanh();
  patched.forward = (input: Tensor) => torch.tanh(input);
  assert.equal(fusableActivation(patched), null);
  class Named extends nn.ReLU {}
  assert.equal(fusableActivation(new Named()), "relu");
  assert.equal(fusableActivation(new nn.Flatten()), null);
  // The same for a layer.
  const conv = new nn.Conv2d(1, 2, 3);
  assert.ok(forwardFused(conv, x(), "relu", false));
  assert.equal(forwardFused(new nn.Flatten(), x(), "relu", false), null);
  conv.forward = (input: Tensor) => torch.F.conv2d(input, conv.weight, conv.bias);
  assert.equal(forwardFused(conv, x(), "relu", false), null);
});

test("forwardThen = the layer then the activation, bit for bit, fused or not", () => {
  torch.manualSeed(22);
  const conv = new nn.Conv2d(1, 3, 3);
  const want = torch.sigmoid(conv.forward(x()));
  assert.deepEqual(Array.from(forwardThen(conv, x(), "sigmoid").data), Array.from(want.data));
  assert.deepEqual(Array.from(forwardThen(new nn.Flatten(), x(), "tanh").data), Array.from(torch.tanh(torch.flatten(x(), 1)).data));
});

test("chain with a view step = the modules and the reshape one after the other; a view passes its reader's privacy on", () => {
  torch.manualSeed(23);
  const conv = new nn.Conv2d(1, 2, 3), relu = new nn.ReLU(), fc = new nn.Linear(32, 4);
  const got = chain(x(), [conv, relu, viewAs([-1, 32]), fc]);
  const want = fc.forward(torch.relu(conv.forward(x())).view([-1, 32]));
  assert.deepEqual(got.shape, [2, 4]);
  assert.deepEqual(Array.from(got.data), Array.from(want.data));
  // Sequentials read their input as their first child does.
  assert.ok(consumesPrivately(new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh())));
  assert.ok(!consumesPrivately(new nn.Sequential()));
});
