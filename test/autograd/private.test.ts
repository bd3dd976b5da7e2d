// Private activations (src/autograd/private.ts): a library layer's result that only library layers
// read goes back to the storage pool once its last reader is done with it: with a graph, when its
// producer's node is released; without one, once its reader has returned. Checked here: when the
// array comes back (and when it must not: retained graphs, public outputs, patched layers), and
// that networks whose containers and blocks mark their activations train bit for bit as the same
// networks with every mark and fusion turned off (each module's forward patched), on both backends.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Module } from "../../src/nn/module.js";
import type { Tensor } from "../../src/index.js";
import { consumed, markPrivate } from "../../src/autograd/private.js";
import { fromSource, takePooled } from "../../src/core/pool.js";
import { crossEntropySteps } from "../helpers/steps.js";

const { nn } = torch;

/** Whether `a` went back since `resident` (fromSource(a)) was read: to WebAssembly memory, or to the JS pool. */
function backInPool(a: Float32Array | Float64Array, resident: boolean): boolean {
  if (resident) return !fromSource(a);
  const taken: unknown[] = [];
  for (let b = takePooled("float32", a.length); b !== null; b = takePooled("float32", a.length)) taken.push(b);
  return taken.includes(a);
}

for (const backend of ["wasm", "js"] as const) {
  test(`${backend}: a private result comes back when its producer's node is released, not before, and not with a retained graph`, (t) => {
    const before = torch.getBackend();
    torch.setBackend(backend);
    t.after(() => torch.setBackend(before));
    const conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
    const x = torch.randn([2, 1, 40, 40], { generator: new torch.Generator(3) });
    const run = (retain: boolean) => {
      const h = markPrivate(conv.forward(x)); // 12,800 floats: poolable
      const resident = fromSource(h.data);
      const loss = h.tanh().sum();
      const values = Array.from(h.data);
      loss.backward(undefined, { retainGraph: retain });
      return { h, resident, values, loss };
    };
    const freed = run(false);
    assert.ok(backInPool(freed.h.data, freed.resident), "released: the array went back");
    const kept = run(true);
    assert.ok(!backInPool(kept.h.data, kept.resident), "retained: the array stays with the graph");
    assert.deepEqual(Array.from(kept.h.data), kept.values);
    kept.loss.backward(); // the second backward releases the graph
    assert.ok(backInPool(kept.h.data, kept.resident), "released by the second backward");
  });

  test(`${backend}: without a graph a private result comes back once its reader has returned, or at the reader's release if the reader recorded one`, (t) => {
    const before = torch.getBackend();
    torch.setBackend(backend);
    t.after(() => torch.setBackend(before));
    const [a, b] = [new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.Conv2d(4, 2, 3, { padding: 1 })];
    const x = torch.randn([2, 1, 40, 40], { generator: new torch.Generator(4) });
    const h = torch.noGrad(() => markPrivate(a.forward(x)));
    const resident = fromSource(h.data);
    const out = torch.noGrad(() => b.forward(h));
    consumed(h, out);
    assert.ok(backInPool(h.data, resident), "no graph: back at once");

    // A frozen first layer feeding a trained one: the second's node keeps h for its weight gradient.
    for (const p of a.parameters()) p.requiresGrad = false;
    const h2 = markPrivate(a.forward(x));
    assert.equal(h2.gradFn, null);
    const resident2 = fromSource(h2.data);
    const out2 = b.forward(h2);
    consumed(h2, out2);
    assert.ok(!backInPool(h2.data, resident2), "kept while b's node may read it");
    const want = torch.noGrad(() => b.forward(h2)).data.slice();
    out2.sum().backward();
    assert.ok(backInPool(h2.data, resident2), "back once b's node is released");
    assert.ok(b.weight.grad !== null && want.length > 0);
  });
}

/** The same module with every mark and fusion off: each module's forward an own property (as a hook's). */
function unfused<M extends Module>(m: M): M {
  for (const child of m.modules()) {
    const original = child.forward;
    Object.defineProperty(child, "forward", { configurable: true, value: (...xs: Tensor[]) => original.apply(child, xs) });
  }
  return m;
}

interface Net {
  name: string;
  build: () => Module;
  input: number[];
}
const NETS: Net[] = [
  { name: "d2l ResNet (narrow)", build: () => torch.models.resnet([[1, 64], [1, 128]], { numClasses: 10, widthDivisor: 8, inputShape: [1, 1, 24, 24] }), input: [3, 1, 24, 24] },
  { name: "torchvision ResNet-18 (width / 16)", build: () => torch.models.resnet18({ numClasses: 10, inChannels: 1, widthDivisor: 16 }), input: [2, 1, 32, 32] },
  { name: "d2l Inception block + head", build: () => new nn.Sequential(new torch.models.InceptionBlock(8, [8, 8], [4, 8], 8), new nn.AdaptiveAvgPool2d([1, 1]), new nn.Flatten(), new nn.LazyLinear(10)), input: [2, 4, 20, 20] },
  { name: "VGG-style Sequential", build: () => new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Sequential(new nn.Conv2d(8, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2)), new nn.Flatten(), new nn.Linear(8 * 8 * 8, 10)), input: [4, 1, 32, 32] },
];

for (const backend of ["wasm", "js"] as const) {
  for (const net of NETS) {
    test(`${backend}: ${net.name} trains bit for bit as with every mark and fusion off, an eval pass between steps`, (t) => {
      const before = torch.getBackend();
      torch.setBackend(backend);
      t.after(() => torch.setBackend(before));
      const run = (plain: boolean) => {
        torch.manualSeed(21);
        const model = net.build();
        const x = torch.randn(net.input, { generator: new torch.Generator(22) });
        const labels = torch.tensor(Array.from({ length: net.input[0] }, (_, i) => (3 * i) % 10));
        torch.noGrad(() => model.forward(x)); // shapes lazy layers
        if (plain) unfused(model);
        const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
        const losses = crossEntropySteps(model, opt, x, labels, 2);
        model.eval();
        const evalOut = Array.from(torch.noGrad(() => model.forward(x)).data);
        model.train();
        losses.push(...crossEntropySteps(model, opt, x, labels, 2));
        return { losses, evalOut, params: model.parameters().map((p) => Array.from(p.data)) };
      };
      const [marked, plain] = [run(false), run(true)];
      assert.deepEqual(marked.losses, plain.losses);
      assert.deepEqual(marked.evalOut, plain.evalOut);
      assert.deepEqual(marked.params, plain.params);
    });
  }
}
