// d2l's Residual and ResNet-18, torchvision's ResNet-18/50 with BasicBlock and Bottleneck, the
// pre-activation block and the Inception block: the shapes the seed prints, parameter counts and
// state-dict keys against PyTorch's (test/golden/course-models.json), and forward passes against
// PyTorch's with the same weights, in train mode (batch statistics) and eval mode.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { crossEntropySteps } from "../helpers/steps.js";
import { checkValues, golden, stateDictFacts, type ModelFacts } from "./det-fill.js";
import { childRows, goldenRows } from "./summary-rows.js";

const { models } = torch;

/** Parameter count, state-dict keys and per-child output shapes equal PyTorch's. */
function assertFacts(net: torch.nn.Module, g: ModelFacts, container = ""): void {
  assert.deepEqual(childRows(net, g.input, container), goldenRows(g.layers));
  assert.equal(net.numParameters(), g.params);
  assert.deepEqual(stateDictFacts(net), g.keys);
}

test("d2l Residual: [4,3,6,6] -> [4,3,6,6]; with use1x1conv and strides 2 -> [4,6,3,3]", () => {
  const x = torch.randn([4, 3, 6, 6]);
  assert.deepEqual(new models.Residual(3).forward(x).shape, [4, 3, 6, 6]);
  assert.deepEqual(new models.Residual(6, { use1x1conv: true, strides: 2 }).forward(x).shape, [4, 6, 3, 3]);
  assert.throws(() => new models.Residual(6).forward(x), /Residual: the block gives shape \[4, 6, 6, 6\] but the shortcut \[4, 3, 6, 6\]; use use1x1conv when channels or strides change/);
});

test("d2l Residual: forward passes equal PyTorch's (train mode, batch statistics)", () => {
  checkValues("residual", new models.Residual(3));
  checkValues("residual1x1", new models.Residual(6, { use1x1conv: true, strides: 2 }));
});

test("d2l ResNet-18 on 1x1x96x96: the seed's 64x24x24, 64x24x24, 128x12x12, 256x6x6, 512x3x3, 10", () => {
  const net = new models.D2lResNet(models.D2L_RESNET18_ARCH);
  const rows = childRows(net, [1, 1, 96, 96], "net");
  assert.deepEqual(rows.map((r) => `${r.name} ${r.shape.slice(1).join("x")}`), ["0 64x24x24", "b2 64x24x24", "b3 128x12x12", "b4 256x6x6", "b5 512x3x3", "last 10"]);
  assertFacts(net, golden.facts.d2lResnet18, "net");
});

test("d2l ResNet: forward pass equals PyTorch's; a few Adam steps on one batch lower the loss", () => {
  const net = new models.D2lResNet([[1, 64], [1, 16]], { numClasses: 5 });
  checkValues("d2lResnetSmall", net);
  torch.manualSeed(3);
  const small = models.resnet([[1, 64], [1, 64]], { numClasses: 3, widthDivisor: 8, inputShape: [1, 1, 16, 16] });
  const x = torch.randn([6, 1, 16, 16]);
  const y = torch.tensor([0, 1, 2, 0, 1, 2]);
  const opt = new torch.optim.Adam(small.parameters(), { lr: 1e-2 });
  const losses = crossEntropySteps(small, opt, x, y, 5);
  assert.ok(losses[4] < losses[0], `loss should fall: ${losses.map((l) => l.toFixed(4)).join(", ")}`);
  assert.ok(small.parameters().every((p) => p.grad !== null), "every parameter, the 1x1 shortcut's included, gets a gradient");
});

test("torchvision ResNet-18 on 1x3x224x224 gives [1, 1000]: 11,689,512 parameters and torchvision's keys", () => {
  const net = models.resnet18();
  net.eval();
  assertFacts(net, golden.facts.resnet18);
  assert.equal(net.numParameters(), 11689512);
  assert.ok(Object.keys(net.stateDict()).includes("layer2.0.downsample.1.running_var"));
});

test("torchvision ResNet-18: forward passes equal PyTorch's, train and eval mode, numClasses and inChannels", () => {
  checkValues("resnet18", models.resnet18({ numClasses: 5 }));
  checkValues("resnet18Eval", models.resnet18({ numClasses: 5, inChannels: 1 }));
});

test("torchvision ResNet-50 (Bottleneck x [3, 4, 6, 3]): 25,557,032 parameters and torchvision's keys", () => {
  const net = models.resnet50();
  net.eval();
  assertFacts(net, golden.facts.resnet50);
});

test("Bottleneck(256, 64) on [1,256,56,56] -> [1,256,56,56]; forward passes equal PyTorch's", () => {
  const blk = new models.Bottleneck(256, 64);
  blk.eval();
  assertFacts(blk, golden.facts.bottleneck);
  assert.equal(blk.downsample, null, "256 = 4 x 64 channels and stride 1: identity shortcut");
  checkValues("bottleneck", new models.Bottleneck(8, 2));
  checkValues("bottleneckStride2", new models.Bottleneck(8, 4, { stride: 2 }));
});

test("PreActResidual(64, 64) on [1,64,56,56] -> [1,64,56,56]; forward passes equal PyTorch's", () => {
  const blk = new models.PreActResidual(64, 64);
  blk.eval();
  assertFacts(blk, golden.facts.preAct);
  checkValues("preAct", new models.PreActResidual(4, 4));
  checkValues("preActStride2", new models.PreActResidual(4, 6, { stride: 2 }));
});

test("InceptionBlock(64, [48, 64], [64, 96], 32) gives 256 channels at the input's size", () => {
  // The seed runs it on 1x3x224x224 (-> [1, 256, 224, 224]); 32x32 has the same channels and
  // keeps the test fast (the 5x5 branch alone is 7.7 GMAC at 224x224).
  const blk = new models.InceptionBlock(64, [48, 64], [64, 96], 32);
  assertFacts(blk, golden.facts.inception);
  assert.deepEqual(golden.facts.inception.output, [1, 256, 32, 32]);
  checkValues("inception", new models.InceptionBlock(2, [2, 3], [1, 2], 2));
});

/** A block's output, input gradient and parameter gradients for one seeded batch. */
function blockRun(make: () => torch.nn.Module, shape: number[], forward: (m: torch.nn.Module, x: torch.Tensor) => torch.Tensor) {
  torch.manualSeed(40);
  const block = make();
  const g = new torch.Generator(41);
  const x = torch.randn(shape, { generator: g, requiresGrad: true });
  block.forward(x); // materialises lazy layers: fused from here on
  const y = forward(block, x);
  y.backward(torch.randn(y.shape, { generator: g }));
  return { op: y.gradFn!.op, values: [y, x.grad!, ...block.parameters().map((p) => p.grad!)].map((v) => Array.from(v.data)) };
}

test("residual blocks run bn + ReLU and add + ReLU fused: the same output and gradients as the ops one by one, bit for bit", () => {
  const { relu } = torch;
  type Block = torch.nn.Module & Record<string, torch.nn.Module & ((x: torch.Tensor) => torch.Tensor)>;
  const f = (m: torch.nn.Module, name: string, x: torch.Tensor) => (m as Block)[name].forward(x);
  const d2l = (m: torch.nn.Module, x: torch.Tensor) => {
    const y = f(m, "bn2", f(m, "conv2", relu(f(m, "bn1", f(m, "conv1", x)))));
    return relu(y.add((m as torch.models.Residual).conv3 ? f(m, "conv3", x) : x));
  };
  const basic = (m: torch.nn.Module, x: torch.Tensor) => {
    const y = f(m, "bn2", f(m, "conv2", relu(f(m, "bn1", f(m, "conv1", x)))));
    return relu(y.add((m as torch.models.BasicBlock).downsample ? f(m, "downsample", x) : x));
  };
  const cases: [string, () => torch.nn.Module, number[], typeof d2l][] = [
    ["d2l Residual(8)", () => new models.Residual(8), [3, 8, 9, 9], d2l],
    ["d2l Residual(8, 1x1, strides 2)", () => new models.Residual(8, { use1x1conv: true, strides: 2 }), [3, 4, 9, 9], d2l],
    ["BasicBlock(4, 8, stride 2)", () => new models.BasicBlock(4, 8, { stride: 2 }), [3, 4, 9, 9], basic],
  ];
  for (const [label, make, shape, plain] of cases) {
    const fused = blockRun(make, shape, (m, x) => m.forward(x));
    const oneByOne = blockRun(make, shape, plain);
    assert.equal(fused.op, "add", `${label}: fused`);
    assert.equal(oneByOne.op, "relu", `${label}: one by one`);
    fused.values.forEach((v, i) => assert.deepEqual(v, oneByOne.values[i], `${label}: output ${i}`));
  }
});

test("a block whose ReLU module is patched runs it on its own (bn + ReLU and add + ReLU unfused)", () => {
  const block = new models.BasicBlock(4, 4);
  let calls = 0;
  const relu = block.relu;
  Object.defineProperty(relu, "forward", { configurable: true, value: (x: torch.Tensor) => (calls++, torch.relu(x)) });
  const y = block.forward(torch.randn([2, 4, 5, 5], { requiresGrad: true }));
  assert.equal(calls, 2);
  assert.equal(y.gradFn!.op, "relu");
});
