// torch.onnx.export checked by an independent reader: every zoo model, LeNet-5 (both C3s) and
// logistic regression are exported, run in ONNX Runtime at batch 1 and batch 3 (the free batch
// dim), and compared with torchlet's own eval-mode forward.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { buildModel, MODEL_ZOO, type ZooOptions } from "../../src/models/zoo.js";
import { lenet5 } from "../../src/models/lenet5.js";
import { logisticRegression } from "../../src/models/logistic.js";
import { BatchNorm } from "../../src/nn/norm.js";
import type { Module } from "../../src/nn/module.js";
import { evalForward, relativeDiff, runOnnx } from "../helpers/ort.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-onnx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Small inputs where the model allows them, so the whole zoo runs in seconds. */
const ZOO_SIZES: Record<string, ZooOptions> = {
  vgg11: { imageSize: 32, widthDivisor: 16 },
  nin: { imageSize: 96, widthDivisor: 8 },
  "d2l-resnet18": { imageSize: 32, widthDivisor: 8 },
  resnet18: { imageSize: 32, widthDivisor: 8 },
  resnet34: { imageSize: 32, widthDivisor: 8 },
  resnet50: { imageSize: 32, widthDivisor: 8 },
};

/** Batch-norm statistics away from their 0 / 1 start, so that the export of each one is tested. */
function randomizeBatchNorms(model: Module): void {
  for (const m of model.modules()) {
    if (!(m instanceof BatchNorm)) continue;
    const C = m.numFeatures;
    m.getBuffer("running_mean").data.set(torch.randn([C]).data.map((v) => 0.1 * v));
    m.getBuffer("running_var").data.set(torch.rand([C]).data.map((v) => 0.5 + v));
    m.weight?.data.set(torch.rand([C]).data.map((v) => 0.5 + v));
    m.bias?.data.set(torch.randn([C]).data.map((v) => 0.1 * v));
  }
}

/** Exports at batch 1 and checks ONNX Runtime against torchlet at batch 1 and 3. */
async function checkInOnnxRuntime(name: string, model: Module, inputShape: number[], options: torch.onnx.OnnxExportOptions = {}): Promise<void> {
  const path = join(dir, `${name}.onnx`);
  const info = torch.onnx.export(model, torch.zeros(inputShape), path, options);
  assert.deepEqual(info.inputs[0].dims, ["batch", ...inputShape.slice(1)], name);
  for (const batch of [1, 3]) {
    const x = torch.randn([batch, ...inputShape.slice(1)]);
    const want = evalForward(model, x);
    const got = await runOnnx(path, "input", x);
    assert.deepEqual(got.dims, want.shape, `${name} batch ${batch}: output shape`);
    const rel = relativeDiff(got.data, want.data);
    assert.ok(rel <= 1e-4, `${name} batch ${batch}: ONNX Runtime differs from torchlet by ${rel} (relative)`);
  }
}

for (const name of Object.keys(MODEL_ZOO)) {
  test(`zoo ${name}: ONNX Runtime gives torchlet's outputs at batch 1 and 3`, async () => {
    torch.manualSeed(1);
    const { model, inputShape } = buildModel(name, ZOO_SIZES[name] ?? {});
    randomizeBatchNorms(model);
    await checkInOnnxRuntime(name, model, inputShape);
  });
}

test("LeNet-5 (sparse and full C3) and logistic regression in ONNX Runtime", async () => {
  torch.manualSeed(2);
  await checkInOnnxRuntime("lenet5-sparse", lenet5({ c3: "sparse" }), [1, 1, 28, 28]);
  await checkInOnnxRuntime("lenet5-full", lenet5({ c3: "full" }), [1, 1, 28, 28]);
  await checkInOnnxRuntime("logreg", logisticRegression({ bias: true }), [1, 1, 28, 28]);
});

test("the course's other blocks: pre-activation residual (BN-ReLU-conv) and Inception (four branches concatenated)", async () => {
  torch.manualSeed(4);
  const preact = new torch.models.PreActResidual(4, 8, { stride: 2 });
  randomizeBatchNorms(preact);
  await checkInOnnxRuntime("preact", preact, [1, 4, 9, 9]);
  const inception = new torch.models.InceptionBlock(4, [3, 4], [2, 3], 2);
  torch.noGrad(() => inception.forward(torch.zeros([1, 4, 9, 9]))); // its lazy layers take their shapes
  await checkInOnnxRuntime("inception", inception, [1, 4, 9, 9]);
});

/** Layers and options the zoo does not use: asymmetric and dilated, grouped, strided convs, ceil-mode pooling, ... */
class Assorted extends torch.nn.Module {
  features = new torch.nn.Sequential(
    new torch.nn.Conv2d(2, 4, 4, { padding: "same", dilation: 1 }), // even kernel: one more row / column after
    new torch.nn.Conv2d(4, 4, 3, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
    new torch.nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    new torch.nn.Sigmoid(),
  );
  branch = new torch.nn.Sequential(new torch.nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), new torch.nn.Tanh());
  other = new torch.nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true });
  pool = new torch.nn.AdaptiveAvgPool2d([1, 2]);
  fc = new torch.nn.Linear(8 * 1 * 2, 6);
  bn = new torch.nn.BatchNorm1d(6);
  drop = new torch.nn.Dropout(0.5);

  forward(x: torch.Tensor): torch.Tensor {
    const f = this.features.forward(x);
    const both = torch.cat([this.branch.forward(f), this.other.forward(f)], 1);
    const y = this.pool.forward(both).flatten(1);
    return this.drop.forward(this.bn.forward(this.fc.forward(y))).mul(2).add(1);
  }
}

test("asymmetric, strided, dilated and grouped convs, ceil-mode pooling, cat, BatchNorm1d in ONNX Runtime", async () => {
  torch.manualSeed(3);
  const model = new Assorted();
  randomizeBatchNorms(model);
  await checkInOnnxRuntime("assorted", model, [1, 2, 13, 11]);
  await checkInOnnxRuntime("assorted-opset17", model, [1, 2, 13, 11], { opsetVersion: 17 });
});

test("the model comes back unchanged: training mode, forwards, grad mode", () => {
  const model = lenet5();
  torch.onnx.exportToBytes(model, torch.zeros([1, 1, 28, 28]));
  assert.ok(model.modules().every((m) => m.training && !Object.hasOwn(m, "forward")));
  assert.ok(torch.isGradEnabled());
});

test("a fixed batch: dynamicBatch false writes the example's size", async () => {
  const model = lenet5();
  const { bytes, inputs, outputs } = torch.onnx.exportToBytes(model, torch.zeros([2, 1, 28, 28]), { dynamicBatch: false, inputNames: ["image"], outputNames: ["logits"] });
  assert.deepEqual(inputs, [{ name: "image", dims: [2, 1, 28, 28] }]);
  assert.deepEqual(outputs, [{ name: "logits", dims: [2, 10] }]);
  const x = torch.randn([2, 1, 28, 28]);
  const got = await runOnnx(bytes, "image", x, "logits");
  assert.ok(relativeDiff(got.data, evalForward(model, x).data) <= 1e-4);
});

/** A model whose features.3 calls an op with no export rule. */
class SoftmaxHead extends torch.nn.Module {
  forward(x: torch.Tensor): torch.Tensor {
    return torch.softmax(x, 1);
  }
}

test("an op with no export names the op and the module's path, and nothing is written", () => {
  const model = new (class extends torch.nn.Module {
    features = new torch.nn.Sequential(new torch.nn.Flatten(), new torch.nn.Linear(4, 3), new torch.nn.ReLU(), new SoftmaxHead());
    forward(x: torch.Tensor) {
      return this.features.forward(x);
    }
  })();
  const path = join(dir, "kept.onnx");
  writeFileSync(path, "old");
  assert.throws(() => torch.onnx.export(model, torch.zeros([1, 4]), path), /^OnnxExportError: torch\.onnx\.export: features\.3: no ONNX export for op "softmax" called by SoftmaxHead\.forward/);
  assert.equal(readFileSync(path, "utf8"), "old");
  assert.ok(model.modules().every((m) => !Object.hasOwn(m, "forward")), "forwards restored after the error");
  // A functional convolution has no options in the graph: it must come from nn.Conv2d.
  const conv = new (class extends torch.nn.Module {
    w = new torch.nn.Parameter(torch.randn([2, 1, 3, 3]));
    forward(x: torch.Tensor) {
      return torch.F.conv2d(x, this.w);
    }
  })();
  assert.throws(() => torch.onnx.exportToBytes(conv, torch.zeros([1, 1, 5, 5])), /no ONNX export for op "conv2d".*nn modules/);
  // A tensor made inside forward without the input would be the example's value frozen into the file.
  const frozen = new (class Frozen extends torch.nn.Module {
    forward(x: torch.Tensor) {
      return x.add(torch.ones([4]));
    }
  })();
  assert.throws(() => torch.onnx.exportToBytes(frozen, torch.zeros([1, 4])), /torch\.onnx\.export: model: Frozen\.forward uses a tensor of shape \[4\] that is neither a parameter, a buffer nor computed from the input/);
});

test("lazy layers never run, float64 weights, bad options and unwritable paths are refused", () => {
  const lazy = new torch.nn.Sequential(new torch.nn.LazyConv2d(4, 3), new torch.nn.ReLU());
  assert.throws(() => torch.onnx.exportToBytes(lazy, torch.zeros([1, 1, 8, 8])), /0\.weight is not shaped yet \(0 is a LazyConv2d that has never run\): run the model once on an input of the right shape, e\.g\. model\.forward\(torch\.zeros\(\[1, 1, 8, 8\]\)\)/);
  const f64 = new torch.nn.Linear(3, 2);
  f64.bias = new torch.nn.Parameter(torch.zeros([2], { dtype: "float64" }));
  assert.throws(() => torch.onnx.exportToBytes(f64, torch.zeros([1, 3])), /torch\.onnx\.export: bias is float64; ONNX export writes float32 weights only/);
  const m = new torch.nn.Linear(3, 2);
  assert.throws(() => torch.onnx.exportToBytes(m, torch.zeros([1, 3]), { opsetVersion: 9 }), /opsetVersion must be one of 13, 14, 15, 16, 17, got 9/);
  assert.throws(() => torch.onnx.exportToBytes(m, torch.zeros([1, 3]), { inputNames: ["a", "b"] }), /1 example input\(s\) but 2 inputNames/);
  assert.throws(() => torch.onnx.exportToBytes(m, torch.zeros([1, 3], { dtype: "float64" })), /example input 0 is float64/);
  const missing = join(dir, "no-such-dir", "m.onnx");
  assert.throws(() => torch.onnx.export(m, torch.zeros([1, 3]), missing), /torch\.onnx\.export: cannot write .*no-such-dir/);
  assert.ok(!existsSync(missing));
});
