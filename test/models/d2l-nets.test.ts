// d2l's LeNet (7.6), VGG (8.2) and NiN (8.3): the layer summaries the seed prints, parameter
// counts and state-dict keys against PyTorch's (test/golden/course-models.json), Xavier init through
// applyInit, and forward passes against PyTorch's with the same weights.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { checkValues, golden, stateDictFacts } from "./det-fill.js";
import { childRows, goldenRows } from "./summary-rows.js";

const { models } = torch;

test("d2l LeNet: layer_summary on 1x1x28x28 prints the seed's twelve rows", () => {
  const rows = childRows(new models.D2lLeNet(), [1, 1, 28, 28], "net");
  const printed = rows.map((r) => `${r.type} output shape: [${r.shape.join(", ")}]`);
  assert.deepEqual(printed, [
    "Conv2d output shape: [1, 6, 28, 28]",
    "Sigmoid output shape: [1, 6, 28, 28]",
    "AvgPool2d output shape: [1, 6, 14, 14]",
    "Conv2d output shape: [1, 16, 10, 10]",
    "Sigmoid output shape: [1, 16, 10, 10]",
    "AvgPool2d output shape: [1, 16, 5, 5]",
    "Flatten output shape: [1, 400]",
    "Linear output shape: [1, 120]",
    "Sigmoid output shape: [1, 120]",
    "Linear output shape: [1, 84]",
    "Sigmoid output shape: [1, 84]",
    "Linear output shape: [1, 10]",
  ]);
  assert.deepEqual(rows, goldenRows(golden.facts.d2lLeNet.layers));
});

test("d2l LeNet: lazy until the first pass, then PyTorch's keys and 61,706 parameters", () => {
  const lazy = new models.D2lLeNet();
  assert.equal(lazy.numParameters(), 0);
  const net = models.d2lLeNet();
  assert.equal(net.numParameters(), golden.facts.d2lLeNet.params);
  assert.deepEqual(stateDictFacts(net), golden.facts.d2lLeNet.keys);
});

test("d2l LeNet: init_cnn gives Xavier-uniform weights and leaves biases at the default init", () => {
  torch.manualSeed(1);
  const net = models.d2lLeNet();
  for (const [name, p] of Object.entries(net.stateDict())) {
    const [fanOut, fanIn] = [p.shape[0], p.numel / p.shape[0]];
    const max = Array.from(p.data).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (name.endsWith("weight")) {
      const receptive = p.ndim === 4 ? p.shape[2] * p.shape[3] : 1;
      const bound = Math.sqrt(6 / (fanIn + fanOut * receptive));
      assert.ok(max <= bound && max > 0.9 * bound, `${name}: max |w| ${max} should be just under Xavier's ${bound}`);
    } else {
      const weight = net.stateDict()[name.replace(/bias$/, "weight")];
      assert.ok(max <= 1 / Math.sqrt(weight.numel / weight.shape[0]), `${name} keeps the default U(-1/sqrt(fan_in), 1/sqrt(fan_in))`);
    }
  }
});

test("d2l LeNet: forward pass equals PyTorch's with the same weights", () => {
  checkValues("d2lLeNet", new models.D2lLeNet());
});

test("vggBlock(numConvs, channels) halves the size and sets the channels", () => {
  const blk = models.vggBlock(2, 8);
  assert.deepEqual(torch.noGrad(() => blk.forward(torch.zeros([2, 3, 10, 12]))).shape, [2, 8, 5, 6]);
  assert.equal(blk.length, 2 * 2 + 1);
  assert.throws(() => models.vggBlock(0, 8), /vggBlock: numConvs must be a positive integer, got 0/);
});

test("VGG-11 on 1x1x224x224: the seed's summary (.., 512x7x7, 25088, 4096, 4096, 10) and PyTorch's 128,806,154 parameters", () => {
  const net = new models.VGG(models.VGG11_ARCH);
  const rows = childRows(net, [1, 1, 224, 224], "net");
  assert.deepEqual(
    rows.map((r) => `${r.type} [${r.shape.join(", ")}]`),
    [
      "Sequential [1, 64, 112, 112]", "Sequential [1, 128, 56, 56]", "Sequential [1, 256, 28, 28]",
      "Sequential [1, 512, 14, 14]", "Sequential [1, 512, 7, 7]", "Flatten [1, 25088]",
      "Linear [1, 4096]", "ReLU [1, 4096]", "Dropout [1, 4096]",
      "Linear [1, 4096]", "ReLU [1, 4096]", "Dropout [1, 4096]", "Linear [1, 10]",
    ],
  );
  assert.deepEqual(rows, goldenRows(golden.facts.vgg11.layers));
  assert.equal(net.numParameters(), golden.facts.vgg11.params);
  assert.deepEqual(stateDictFacts(net), golden.facts.vgg11.keys);
});

test("narrow VGG-11 (widthDivisor 4) is d2l's ((1,16),(1,32),(2,64),(2,128),(2,128)) with 43,093,322 parameters", () => {
  const net = models.vgg(models.VGG11_ARCH, { widthDivisor: 4 });
  assert.equal(net.numParameters(), golden.facts.vgg11Narrow.params);
  assert.deepEqual(stateDictFacts(net), golden.facts.vgg11Narrow.keys);
  assert.throws(() => models.vgg(models.VGG11_ARCH, { widthDivisor: 0 }), /VGG: widthDivisor must be a positive integer, got 0/);
});

test("VGG: forward pass (eval) equals PyTorch's; train mode applies dropout", () => {
  const net = new models.VGG([[1, 4], [2, 8]], { numClasses: 5 });
  checkValues("vggSmall", net);
  const x = torch.rand([2, 1, 16, 16]);
  net.train();
  const [a, b] = [net.forward(x), net.forward(x)];
  assert.notDeepEqual(a.data, b.data, "two training passes draw different dropout masks");
  net.eval();
  assert.deepEqual(net.forward(x).data, net.forward(x).data);
});

test("NiN on 1x1x224x224: d2l's shapes, ending in global average pooling to 10 logits; PyTorch's 1,992,166 parameters", () => {
  const net = new models.NiN();
  const rows = childRows(net, [1, 1, 224, 224], "net");
  assert.deepEqual(rows, goldenRows(golden.facts.nin.layers));
  assert.deepEqual(rows.map((r) => r.shape.slice(1).join("x")), ["96x54x54", "96x26x26", "256x26x26", "256x12x12", "384x12x12", "384x5x5", "384x5x5", "10x5x5", "10x1x1", "10"]);
  assert.equal(net.numParameters(), golden.facts.nin.params);
  assert.deepEqual(stateDictFacts(net), golden.facts.nin.keys);
});

test("NiN: forward pass (eval) equals PyTorch's with the same weights", () => {
  checkValues("nin", new models.NiN());
});
