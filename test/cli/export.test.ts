// `torchlet export`: checkpoints of LeNet-5, a zoo model with an input pipeline and logistic
// regression exported to ONNX and run in ONNX Runtime against torchlet on the same inputs; the
// safetensors state dict read back; bad arguments exit 2 with the usage.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { loadWithMetadata } from "../../src/io/safetensors.js";
import { buildModel } from "../../src/models/zoo.js";
import type { Module } from "../../src/nn/module.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.js";
import { modelFromCheckpoint } from "../../src/train/checkpoint-model.js";
import { evalForward, relativeDiff, runOnnx } from "../helpers/ort.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "torchlet-export-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "export", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function checkpoint(name: string, model: Module, info: Record<string, string>): string {
  const path = join(dir, `${name}.safetensors`);
  saveCheckpoint(path, model, info);
  return path;
}

/** ONNX Runtime on the exported file against the checkpoint's model, both fed the run's pipeline. */
async function sameOutputs(ckpt: string, onnx: string): Promise<void> {
  const { stateDict, info } = loadCheckpoint(ckpt);
  const m = modelFromCheckpoint(stateDict, info);
  const x = m.prepare(torch.rand([3, 1, 28, 28]));
  const got = await runOnnx(onnx, "input", x);
  const want = evalForward(m.model, x);
  assert.deepEqual(got.dims, want.shape);
  assert.ok(relativeDiff(got.data, want.data) <= 1e-4, `${ckpt}: ONNX Runtime differs from torchlet`);
}

test("export writes ONNX next to the checkpoint and prints the input and output names and shapes", async () => {
  torch.manualSeed(5);
  const ckpt = checkpoint("lenet5-sparse", torch.models.lenet5(), { model: "lenet5", c3: "sparse" });
  const r = run(ckpt);
  assert.equal(r.code, 0, r.err);
  const onnx = join(dir, "lenet5-sparse.onnx");
  assert.match(r.out, /LeNet-5 \(C3 sparse\): .*lenet5-sparse\.safetensors -> .*lenet5-sparse\.onnx \(ONNX, opset 13, [\d,]+ bytes\)/);
  assert.match(r.out, /\n  input  input    float32 \[batch, 1, 28, 28\]  28x28 images in \[0, 1\]\n/);
  assert.match(r.out, /\n  output output   float32 \[batch, 10\]  logits of the classes 0-9\n/);
  await sameOutputs(ckpt, onnx);
});

test("a zoo checkpoint keeps its pipeline: the printed input is the resized, normalized image", async () => {
  torch.manualSeed(6);
  const { model } = buildModel("resnet18", { imageSize: 32, widthDivisor: 8 });
  const ckpt = checkpoint("resnet18", model, { model: "resnet18", dataset: "fashion-mnist", resize: "32", widthDivisor: "8", normalize: "0.5,0.5" });
  const onnx = join(dir, "r18.onnx");
  const r = run(ckpt, "--out", onnx, "--opset", "17");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /resnet18 \(32x32, width \/ 8\): .* -> .*r18\.onnx \(ONNX, opset 17,/);
  assert.match(r.out, /input  input    float32 \[batch, 1, 32, 32\]  28x28 images in \[0, 1\], resized to 32x32 \(bilinear\), normalized \(x - 0\.5\) \/ 0\.5/);
  await sameOutputs(ckpt, onnx);

  const lr = checkpoint("logreg", torch.models.logisticRegression(), { model: "logreg", digits: "4,9" });
  const out = run(lr);
  assert.equal(out.code, 0, out.err);
  assert.match(out.out, /output output   float32 \[batch, 1\]  z: z >= 0 is 9, else 4/);
  await sameOutputs(lr, join(dir, "logreg.onnx"));
});

test("--format safetensors writes the model's state dict alone, PyTorch's keys, readable by eval's loader", () => {
  const model = torch.models.lenet5({ c3: "full" });
  const ckpt = checkpoint("lenet5-full", model, { model: "lenet5", c3: "full", epoch: "3" });
  const r = run(ckpt, "--format", "safetensors");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /-> .*lenet5-full\.export\.safetensors \(safetensors state dict, 10 tensors, PyTorch's key names\)/);
  assert.match(r.out, /input  input    float32 \[batch, 1, 28, 28\]/);
  const { tensors, metadata } = loadWithMetadata(join(dir, "lenet5-full.export.safetensors"));
  assert.equal(metadata?.format, "pt");
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(tensors), Object.keys(sd));
  for (const [k, t] of Object.entries(sd)) assert.deepEqual(tensors[k].data, t.data, k);
  assert.equal(modelFromCheckpoint(tensors, metadata ?? {}).description, "LeNet-5 (C3 full)");
});

test("export --help, bad flags (exit 2 with the usage) and a missing checkpoint (exit 1)", () => {
  const help = run("--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: torchlet export <checkpoint\.safetensors> \[--format onnx\|safetensors\] \[--out path\] \[--opset 13\]/);
  const ckpt = checkpoint("small", torch.models.logisticRegression(), { model: "logreg" });
  const cases: [string[], RegExp][] = [
    [[ckpt, "--format", "tflite"], /--format must be one of onnx, safetensors, got "tflite"/],
    [[ckpt, "--opset", "12"], /--opset must be one of 13, 14, 15, 16, 17, got "12"/],
    [[ckpt, "--format", "safetensors", "--opset", "13"], /--opset applies to --format onnx only/],
    [[ckpt, "--bogus"], /Unknown option '--bogus'/],
    [[], /expected exactly one checkpoint path/],
    [[ckpt, "--out", ckpt], /--out must not be the checkpoint itself/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.match(r.err, /Usage: torchlet export/);
  }
  const missing = run(join(dir, "nope.safetensors"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /torchlet export: load: checkpoint not found/);
  assert.ok(!existsSync(join(dir, "nope.onnx")));
});
