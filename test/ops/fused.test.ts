// Activations fused onto the layer before them in a Sequential (ops/fused.ts): the same output
// and gradients, bit for bit, as the layer and the activation run one after the other; finite
// differences on the fused node; and no fusion where the layer's output might be held elsewhere.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { Parameter } from "../../src/nn/parameter.js";
import type { Module } from "../../src/nn/module.js";
import { fromSource, takePooled } from "../../src/core/pool.js";
import { consumesPrivately } from "../../src/nn/fusion.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";
import { crossEntropySteps } from "../helpers/steps.js";

const { nn } = torch;

type Case = [string, () => Module, number[]];
const LAYERS: Case[] = [
  ["Conv2d(3, 4, 3, padding 1)", () => new nn.Conv2d(3, 4, 3, { padding: 1 }), [2, 3, 6, 5]],
  ["Linear(7, 5)", () => new nn.Linear(7, 5), [3, 7]],
  ["Linear(7, 5) on a 1-d input", () => new nn.Linear(7, 5), [7]],
  ["AvgPool2d(2)", () => new nn.AvgPool2d(2), [2, 3, 6, 6]],
  ["MaxPool2d(2)", () => new nn.MaxPool2d(2), [2, 3, 6, 6]],
  ["BatchNorm2d(3)", () => new nn.BatchNorm2d(3), [2, 3, 6, 5]],
  ["BatchNorm1d(7)", () => new nn.BatchNorm1d(7), [3, 7]],
  ["BatchNorm2d(4), eval mode", () => new nn.BatchNorm2d(4).eval(), [2, 4, 3, 5]],
  ["BatchNorm2d(5) on 5,120 values (the wasm kernels)", () => new nn.BatchNorm2d(5), [4, 5, 16, 16]],
];
const ACTIVATIONS = [
  ["tanh", () => new nn.Tanh(), torch.tanh],
  ["relu", () => new nn.ReLU(), torch.relu],
  ["sigmoid", () => new nn.Sigmoid(), torch.sigmoid],
] as const;

function sameBits(label: string, got: Tensor | null, want: Tensor | null): void {
  assert.ok(got && want, `${label}: missing`);
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  assert.deepEqual(Array.from(got.data), Array.from(want.data), `${label}: values`);
}

/** out * r summed, with r fixed: every output element gets its own weight in the gradient. */
function weighted(out: Tensor, seed: number): Tensor {
  return torch.sum(torch.mul(out, torch.randn(out.shape, { generator: new torch.Generator(seed) })));
}

const CASES = (["wasm", "js"] as const).flatMap((backend) => LAYERS.flatMap((layer) => ACTIVATIONS.map((act) => [backend, layer, act] as const)));
for (const [backend, [label, make, shape], [actName, makeAct, actFn]] of CASES)
  test(`Sequential(${label}, ${actName}) fused = the two ops one after the other, bit for bit (${backend})`, (t) => {
    const before = torch.getBackend();
    torch.setBackend(backend);
    t.after(() => torch.setBackend(before));
    torch.manualSeed(3);
    const layer = make();
    const seq = new nn.Sequential(layer, makeAct());
    const x1 = torch.randn(shape, { generator: new torch.Generator(4), requiresGrad: true });
    const x2 = torch.randn(shape, { generator: new torch.Generator(4), requiresGrad: true });
    const fused = seq.forward(x1);
    const plain = actFn(layer.forward(x2));
    assert.notEqual(fused.gradFn?.op, plain.gradFn?.op, "the fused path ran (one node, the layer's)");
    sameBits("output", fused, plain);
    const params = layer.parameters();
    weighted(fused, 5).backward();
    const fusedGrads = params.map((p) => p.grad);
    layer.zeroGrad();
    weighted(plain, 5).backward();
    sameBits("input gradient", x1.grad, x2.grad);
    params.forEach((p, i) => sameBits(`parameter ${i} gradient`, fusedGrads[i], p.grad));
  });

test("a fused Conv2d -> Tanh passes finite differences (float64), input and parameters", () => {
  const g = new torch.Generator(6);
  const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
  conv.weight = new Parameter(randn64([3, 2, 3, 3], g, false));
  conv.bias = new Parameter(randn64([3], g, false));
  const seq = new nn.Sequential(conv, new nn.Tanh());
  const x = randn64([2, 2, 4, 5], g);
  assert.notEqual(seq.forward(x).gradFn?.op, "tanh", "fused");
  gradcheck((input) => seq.forward(input), [x, conv.weight, conv.bias!], { name: "conv2d+tanh" });
});

test("a fused layer's node can be backpropagated twice with retainGraph, and its gradient w.r.t. the input alone", () => {
  const conv = new nn.Conv2d(1, 2, 3);
  const seq = new nn.Sequential(conv, new nn.ReLU());
  const x = torch.randn([1, 1, 5, 5], { generator: new torch.Generator(7), requiresGrad: true });
  const loss = weighted(seq.forward(x), 8);
  loss.backward(undefined, { retainGraph: true });
  const first = x.grad!.data.slice();
  loss.backward();
  assert.deepEqual(Array.from(x.grad!.data), Array.from(first).map((v) => v + v), "second backward adds the same gradient");
  // Only the input requires a gradient: the node's other functions are never called.
  for (const p of conv.parameters()) p.requiresGrad = false;
  const x2 = torch.randn([1, 1, 5, 5], { generator: new torch.Generator(7), requiresGrad: true });
  weighted(seq.forward(x2), 8).backward();
  assert.deepEqual(Array.from(x2.grad!.data), Array.from(first));
});

test("no fusion when the layer's output may be held elsewhere: a subclass, a patched forward; none under noGrad changes values", () => {
  class Tapped extends nn.Conv2d {
    seen: Tensor | null = null;
    override forward(x: Tensor): Tensor {
      return (this.seen = super.forward(x));
    }
  }
  torch.manualSeed(9);
  const tapped = new Tapped(1, 2, 3);
  const x = torch.randn([1, 1, 5, 5], { generator: new torch.Generator(10) });
  const y = new nn.Sequential(tapped, new nn.Tanh()).forward(x);
  assert.ok(tapped.seen && tapped.seen !== y, "the subclass's own output stays the pre-activation");
  assert.ok(tapped.seen.data.some((v) => Math.abs(v) > 1), "pre-activation values outside tanh's range survive");

  const conv = new nn.Conv2d(1, 2, 3);
  const seen: Tensor[] = [];
  const original = conv.forward.bind(conv);
  Object.defineProperty(conv, "forward", { configurable: true, value: (input: Tensor) => (seen.push(original(input)), seen[seen.length - 1]) });
  const out = new nn.Sequential(conv, new nn.ReLU()).forward(x);
  assert.notEqual(seen[0], out);
  assert.ok(seen[0].data.some((v) => v < 0), "the patched forward's result was not activated in place");

  const plain = new nn.Conv2d(1, 2, 3);
  const seq = new nn.Sequential(plain, new nn.Tanh());
  const a = torch.noGrad(() => seq.forward(x));
  const b = torch.tanh(plain.forward(x));
  sameBits("noGrad forward", a, b);
});

test("LeNet-5 (fused, private activations reused for gradients): two SGD steps' losses and parameters equal the unfused model's bit for bit", () => {
  const run = (fuse: boolean) => {
    torch.manualSeed(11);
    const model = torch.models.lenet5({ c3: "full" });
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = torch.randn([4, 1, 28, 28], { generator: new torch.Generator(12) });
    const labels = torch.tensor([1, 7, 3, 9]);
    const original = nn.Sequential.prototype.forwardChain;
    if (!fuse)
      nn.Sequential.prototype.forwardChain = function (this: InstanceType<typeof nn.Sequential>, input: Tensor) {
        for (const m of this) input = m.forward(input);
        return input;
      };
    try {
      const losses = crossEntropySteps(model, opt, x, labels, 2);
      return { losses, params: model.parameters().map((p) => Array.from(p.data)) };
    } finally {
      nn.Sequential.prototype.forwardChain = original;
    }
  };
  const [fused, plain] = [run(true), run(false)];
  assert.deepEqual(fused.losses, plain.losses);
  assert.deepEqual(fused.params, plain.params);
});

test("a private fused output's array becomes dz and then goes to the pool; retained graphs and public outputs keep their values", () => {
  const n = 2 * 4 * 30 * 30; // over the pool's minimum length
  const make = (privateOutput: boolean) => {
    torch.manualSeed(17);
    const conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    const x = torch.randn([2, 1, 30, 30], { generator: new torch.Generator(13), requiresGrad: true });
    const y = conv.forwardActivated(x, "tanh", privateOutput)!;
    assert.equal(y.numel, n);
    return { y, values: Array.from(y.data), x };
  };
  // Private, graph not retained: after backward the array is the pool's, next in line for alloc.
  const priv = make(true);
  const array = priv.y.data;
  const resident = fromSource(array); // WebAssembly memory's: it goes back to that memory's allocator
  weighted(priv.y, 14).backward();
  const pooled: unknown[] = [];
  for (let a = takePooled("float32", n); a !== null; a = takePooled("float32", n)) pooled.push(a);
  assert.ok(resident ? !fromSource(array) : pooled.includes(array), "the activation's own array was recycled");
  // The gradient is the same as the non-private path's.
  const pub = make(false);
  weighted(pub.y, 14).backward();
  sameBits("input gradient, private vs public", priv.x.grad, pub.x.grad);
  assert.deepEqual(Array.from(pub.y.data), pub.values, "a public output keeps its values after backward");
  // Private but retained: the second backward reads y again.
  const kept = make(true);
  const loss = weighted(kept.y, 14);
  loss.backward(undefined, { retainGraph: true });
  assert.deepEqual(Array.from(kept.y.data), kept.values, "retained graph: y untouched");
  const first = Array.from(kept.x.grad!.data);
  loss.backward();
  assert.deepEqual(Array.from(kept.x.grad!.data), first.map((v) => v + v));
});

test("Sequential marks only what stays inside it private: the last output is the caller's", () => {
  const seq = new nn.Sequential(new nn.Conv2d(1, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.Conv2d(3, 2, 3), new nn.Tanh());
  const x = torch.randn([2, 1, 40, 40], { generator: new torch.Generator(15), requiresGrad: true });
  const y = seq.forward(x);
  const before = Array.from(y.data);
  weighted(y, 16).backward();
  assert.deepEqual(Array.from(y.data), before, "the output the caller holds is intact after backward");
  assert.ok(consumesPrivately(seq), "a Sequential starting with a Conv2d consumes privately");
  assert.ok(!consumesPrivately(new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2))), "Flatten returns a view: not private");
});
