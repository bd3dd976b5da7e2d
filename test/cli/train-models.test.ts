// `torchlet train <zoo model>`, `eval` and `summary` end to end on tiny runs: one generic path
// for every model, checkpoints that eval and viz rebuild with the run's input pipeline, recipes
// as the seeds train, and bad arguments refused before any work.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { loadCheckpoint } from "../../src/train/checkpoint.js";
import { modelFromCheckpoint } from "../../src/train/checkpoint-model.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "torchlet-train-models-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TEST_LINE = /\[Test set\] Average loss: \d+\.\d{4}, Accuracy: (\d+)\/(\d+) \(\d+\.\d\d%\)/;
const escape = (s: string) => s.replace(/[[\]().]/g, "\\$&");

/** Trains, checks the closing line, and checks that eval of the checkpoint prints the same line. */
function trainAndEval(name: string, args: string[], testImages: number): { out: string; ckpt: string } {
  const ckpt = join(dir, `${name}.safetensors`);
  const r = run("train", name, ...args, "--epochs", "1", "--test-limit", String(testImages), "--save", ckpt);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /epoch 1\/1 {2}train loss \d+\.\d{4} {2}test loss/);
  const line = r.out.match(TEST_LINE);
  assert.ok(line, r.out);
  assert.equal(Number(line[2]), testImages);
  const e = run("eval", ckpt, "--limit", String(testImages));
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, new RegExp(escape(line[0])), "eval rebuilds the model and its inputs");
  return { out: r.out, ckpt };
}

test("modern-lenet trains with the seed's recipe (MNIST, Adam 1e-3, batch 64, Normalize 0.5) and eval agrees", () => {
  const { out, ckpt } = trainAndEval("modern-lenet", ["--limit", "64"], 100);
  assert.match(out, /modern-lenet: .*61706 parameters, input 1x28x28, adam lr 0\.001, batch 64, 64 training images, 100 test images, seed 0/);
  const { info } = loadCheckpoint(ckpt);
  assert.deepEqual([info.model, info.dataset, info.normalize, info.optimizer, info.lr, info.batchSize], ["modern-lenet", "mnist", "0.5,0.5", "adam", "0.001", "64"]);
});

test("d2l-lenet trains on Fashion-MNIST by default, with SGD 0.1 and batch 128", () => {
  const { out } = trainAndEval("d2l-lenet", ["--limit", "64"], 64);
  assert.match(out, /sgd lr 0\.1, batch 128, 64 training images, 64 test images \(Fashion-MNIST\)/);
});

test("lecture-lenet pads the digits to 32x32; the rebuilt checkpoint prepares its inputs the same way", () => {
  const { ckpt } = trainAndEval("lecture-lenet", ["--limit", "50", "--dataset", "fashion-mnist"], 50);
  const { stateDict, info } = loadCheckpoint(ckpt);
  assert.equal(info.pad, "2");
  const m = modelFromCheckpoint(stateDict, info, ckpt);
  assert.deepEqual([m.kind, m.name, m.dataset], ["zoo", "lecture-lenet", "fashion-mnist"]);
  const x = m.prepare(torch.ones([2, 1, 28, 28]));
  assert.deepEqual(x.shape, [2, 1, 32, 32]);
  assert.deepEqual([x.data[0], x.data[2 * 32 + 2]], [0, 1], "a zero border around the image");
  assert.deepEqual(torch.noGrad(() => m.model.forward(x)).shape, [2, 10]);
});

test("vgg11 and d2l-resnet18 train narrow and resized on a handful of images; resume checks the build options", () => {
  const small = ["--resize", "32", "--width-divisor", "16", "--batch-size", "8", "--limit", "8"];
  const vgg = trainAndEval("vgg11", small, 8);
  assert.match(vgg.out, /input 1x32x32, width \/ 16, sgd lr 0\.01, batch 8/);
  const { ckpt } = trainAndEval("d2l-resnet18", small, 8);
  const { info } = loadCheckpoint(ckpt);
  assert.deepEqual([info.imageSize, info.widthDivisor, info.resize, info.dataset], ["32", "16", "32", "fashion-mnist"]);
  const more = run("train", "d2l-resnet18", ...small, "--epochs", "2", "--test-limit", "8", "--resume", ckpt, "--save", ckpt);
  assert.equal(more.code, 0, more.err);
  assert.match(more.out, /resumed from .* after epoch 1 \(with optimizer state, random generators and data order\)/);
  assert.match(more.out, /epoch 2\/2 {2}train loss/);
  const wrong = run("train", "d2l-resnet18", "--resize", "32", "--width-divisor", "8", "--limit", "8", "--resume", ckpt, "--save", join(dir, "x.safetensors"));
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /was trained with widthDivisor=16, not 8/);
});

test("bad model names and options are refused with the usage, before any work", () => {
  const cases: [string[], RegExp][] = [
    [["train", "alexnet"], /unknown model "alexnet" \(expected one of lenet5, logreg, lecture-lenet, .*vgg11.*resnet50\)/],
    [["train", "modern-lenet", "--resize", "32"], /modern-lenet takes 28x28 images only, got --resize 32/],
    [["train", "modern-lenet", "--width-divisor", "2"], /modern-lenet has no width divisor \(got 2\); narrowable: vgg11/],
    [["train", "vgg11", "--dataset", "cifar10"], /--dataset must be one of mnist, fashion-mnist, got "cifar10"/],
    [["train", "vgg11", "--c3", "full"], /--c3 applies to lenet5 only, not vgg11/],
    [["train", "lenet5", "--resize", "32"], /--resize applies to zoo models only, not lenet5/],
    [["train", "nin", "--width-divisor", "0"], /--width-divisor must be a positive integer, got "0"/],
    [["train", "d2l-lenet", "--optimizer", "adam", "--momentum", "0.9"], /--momentum applies to --optimizer sgd only/],
    [["summary", "alexnet"], /unknown model "alexnet"/],
    [["summary", "vgg11", "--c3", "full"], /--c3 applies to lenet5 only/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.match(r.err, /Usage/);
  }
  const help = run("train", "--help");
  assert.equal(help.code, 0);
  for (const name of Object.keys(torch.models.MODEL_ZOO)) assert.match(help.out, new RegExp(`^  ${name} `, "m"));
  assert.match(help.out, /vgg11 +d2l 8\.2 .*\n +default: fashion-mnist, sgd lr 0\.01, batch 128, 10 epochs, resize 224, width \/ 4/);
});

test("summary prints the seeds' shapes for zoo models", () => {
  const resnet = run("summary", "d2l-resnet18");
  assert.equal(resnet.code, 0, resnet.err);
  // d2l 8.6: 64x24x24, 64x24x24, 128x12x12, 256x6x6, 512x3x3, 10 on a 1x1x96x96 input.
  const shapes = [...resnet.out.matchAll(/^ {2}net\.\w+ \(\w+\)\s+(\[[\d, ]+\])/gm)].map((m) => m[1]);
  assert.deepEqual(shapes, ["[1, 64, 24, 24]", "[1, 64, 24, 24]", "[1, 128, 12, 12]", "[1, 256, 6, 6]", "[1, 512, 3, 3]", "[1, 10]"]);
  const lecture = run("summary", "lecture-lenet", "--batch-size", "10");
  assert.match(lecture.out, /on input \[10, 1, 32, 32\]/);
  assert.match(lecture.out, /Total number of parameters: 61706/);
  const torchvision = run("summary", "resnet18", "--in-channels", "3", "--num-classes", "1000", "--resize", "64");
  assert.match(torchvision.out, /on input \[1, 3, 64, 64\]/);
  assert.match(torchvision.out, /Total number of parameters: 11689512/);
  // VGG-11 narrowed by 8 (full width at 224 is a 15 s forward): the seed's 7x7 maps and 4096-wide classifier.
  const vgg = run("summary", "vgg11", "--width-divisor", "8");
  assert.match(vgg.out, /net\.4 \(Sequential\)\s+\[1, 64, 7, 7\]/);
  assert.match(vgg.out, /net\.5 \(Flatten\)\s+\[1, 3136\]/);
  assert.match(vgg.out, /net\.6 \(Linear\)\s+\[1, 4096\]/);
});
