// `torchlet train --checkpoint-every` and `--resume` end to end: a run killed with SIGKILL (between
// steps, or inside a checkpoint write) and resumed ends with the same bytes as the run never
// interrupted (model file and sidecar: weights, optimizer state, generators, data order) and the
// same metrics log; so does `--epochs 1` then `--epochs 2 --resume` (the complaint). With
// SGD (lenet5), Adam (logreg) and Adam with dropout (nin). Bad --checkpoint-every values and
// checkpoints without their sidecar are covered at the end.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../src/cli/args.js";
import { checkpointEveryOption, trainCommand } from "../../src/cli/commands/train.js";
import { optimizerStatePath, previousSidecarPath } from "../../src/train/checkpoint.js";
import { metricsPath, parseMetrics } from "../../src/train/metrics.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const KILLER = new URL("./kill-on-rename.js", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "torchlet-train-resume-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `torchlet train`; with killOnRename the process SIGKILLs itself at that fs.renameSync call. */
function train(args: string[], killOnRename?: number) {
  const r = spawnSync(process.execPath, [...(killOnRename ? ["--import", KILLER] : []), CLI, "train", ...args, "--threads", "1"], {
    encoding: "utf8", env: { ...process.env, KILL_ON_RENAME: killOnRename ? String(killOnRename) : "" },
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

function ok(args: string[]) {
  const r = train(args);
  assert.equal(r.code, 0, r.err);
  return r;
}

/** The metrics log as parseMetrics reads it, without the figures that measure time or memory. */
function metrics(ckpt: string) {
  const log = parseMetrics(readFileSync(metricsPath(ckpt), "utf8"));
  const timeless = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !/^(time|imagesPerSecond|seconds|peakRssMB|heapMB|externalMB|arrayBuffersMB)$/.test(k)));
  return { steps: log.steps.map(timeless), epochs: log.epochs.map(timeless) };
}

/** The straight run's files, byte for byte, and its metrics. */
function assertSameRun(ckpt: string, straight: string, what: string): void {
  assert.ok(readFileSync(ckpt).equals(readFileSync(straight)), `${what}: the model file equals the straight run's`);
  assert.ok(readFileSync(optimizerStatePath(ckpt)).equals(readFileSync(optimizerStatePath(straight))), `${what}: the sidecar equals the straight run's`);
  assert.deepEqual(metrics(ckpt), metrics(straight), `${what}: the metrics log has the straight run's steps and epochs, once each`);
}

// lenet5, 12 steps an epoch; --checkpoint-every 4 saves at global steps 4, 8 (epoch 1), 16, 20
// (epoch 2) and at both epoch ends. Renames: step 4's save #1-2 (no sidecar to move aside yet),
// step 8's #3-5, epoch 1's #6-8, step 16's #9-11, step 20's #12-14, epoch 2's #15-17.
const LENET = ["lenet5", "--limit", "120", "--batch-size", "10", "--test-limit", "50"];

test("lenet5: --epochs 1 then --epochs 2 --resume gives the bits of --epochs 2 (the issue's complaint)", () => {
  const straight = join(dir, "lenet-straight.safetensors");
  ok([...LENET, "--epochs", "2", "--save", straight]);
  const ckpt = join(dir, "lenet-two-calls.safetensors");
  ok([...LENET, "--epochs", "1", "--save", ckpt]);
  const r = ok([...LENET, "--epochs", "2", "--resume", ckpt, "--save", ckpt]);
  assert.match(r.out, /resumed from .* after epoch 1 \(with optimizer state, random generators and data order\)/);
  assert.equal(r.err, "", "no warning");
  assertSameRun(ckpt, straight, "resumed after epoch 1");
});

for (const [kill, what, resumedAt] of [
  [6, "killed after epoch 1's last step and its test pass, before its checkpoint", /in epoch 1 after step 8 \(/],
  [13, "killed inside step 20's checkpoint write (the old sidecar moved aside, the new one not yet written)", /in epoch 2 after step 4 \(/],
  [14, "killed inside step 20's checkpoint write (the new sidecar in place, the model file not yet)", /in epoch 2 after step 4 \(/],
] as const) {
  test(`lenet5 --checkpoint-every 4, ${what}: --resume ends with the straight run's bits`, () => {
    const straight = join(dir, "lenet-straight.safetensors");
    if (!existsSync(straight)) ok([...LENET, "--epochs", "2", "--save", straight]);
    const ckpt = join(dir, `lenet-killed-${kill}.safetensors`);
    const killed = train([...LENET, "--epochs", "2", "--save", ckpt, "--checkpoint-every", "4"], kill);
    assert.equal(killed.signal, "SIGKILL", killed.err);
    if (kill !== 6) assert.match(killed.out, /epoch 1\/2/);
    if (kill === 13) {
      const e = spawnSync(process.execPath, [CLI, "eval", ckpt, "--limit", "10"], { encoding: "utf8" });
      assert.match(e.stdout, /in epoch 2 after step 4: /, "eval says where in the run the checkpoint stands");
    }
    const r = ok([...LENET, "--epochs", "2", "--save", ckpt, "--checkpoint-every", "4", "--resume", ckpt]);
    assert.match(r.out, resumedAt);
    assert.equal(r.err, "", "no warning");
    assertSameRun(ckpt, straight, what);
  });
}

test("logreg with Adam, killed inside a mid-epoch checkpoint write: --resume ends with the straight run's bits", () => {
  const args = ["logreg", "--optimizer", "adam", "--limit", "200", "--batch-size", "4", "--epochs", "2", "--checkpoint-every", "3"];
  const straight = join(dir, "logreg-straight.safetensors"), ckpt = join(dir, "logreg-killed.safetensors");
  ok([...args, "--save", straight]);
  // Step 3's save: renames #1-2; step 6's: #3-5; killed at #4 (step 6's sidecar moved aside).
  assert.equal(train([...args, "--save", ckpt], 4).signal, "SIGKILL");
  assert.ok(existsSync(previousSidecarPath(ckpt)));
  const r = ok([...args, "--save", ckpt, "--resume", ckpt]);
  assert.match(r.out, /in epoch 1 after step 3 \(/);
  assertSameRun(ckpt, straight, "logreg adam");
});

test("nin (dropout) with Adam, killed between steps mid-epoch: --resume from the mid-epoch checkpoint ends with the straight run's bits", () => {
  const args = ["nin", "--optimizer", "adam", "--resize", "67", "--width-divisor", "16", "--limit", "24", "--batch-size", "4", "--test-limit", "8", "--epochs", "2", "--checkpoint-every", "2"];
  const straight = join(dir, "nin-straight.safetensors"), ckpt = join(dir, "nin-killed.safetensors");
  ok([...args, "--save", straight]);
  // 6 steps an epoch: step 2's save renames #1-2, step 4's #3-5, epoch 1's #6-8, step 8's #9-11,
  // step 10's #12-14; killed at #12: steps 9 and 10 done, their checkpoint not begun.
  assert.equal(train([...args, "--save", ckpt], 12).signal, "SIGKILL");
  const r = ok([...args, "--save", ckpt, "--resume", ckpt]);
  assert.match(r.out, /in epoch 2 after step 2 \(/);
  assertSameRun(ckpt, straight, "nin adam dropout");
});

test("--checkpoint-every takes steps or a time in s, m or h; it refuses 0, negative and non-numeric values with the usage (exit 2)", async () => {
  const parsed = ["25", "30s", "10m", "1.5m", "1h"].map((v) => checkpointEveryOption({ "checkpoint-every": v }));
  assert.deepEqual(parsed, [{ steps: 25 }, { seconds: 30 }, { seconds: 600 }, { seconds: 90 }, { seconds: 3600 }]);
  const message = (bad: string) => `--checkpoint-every must be a number of steps (a positive integer) or a time such as 30s, 10m or 1h, got "${bad}"`;
  for (const bad of ["0", "-3", "abc", "10x", "0s", "-1m", "1.5", "m", ""]) {
    await assert.rejects(trainCommand(["lenet5", `--checkpoint-every=${bad}`], () => {}), (e: unknown) => e instanceof UsageError && e.message === message(bad) && /Usage:/.test(e.usage), bad);
  }
  const r = train(["lenet5", "--checkpoint-every", "0", "--save", join(dir, "never.safetensors")]);
  assert.equal(r.code, 2);
  assert.ok(r.err.includes(message("0")) && r.err.includes("Usage:"), r.err);
  assert.ok(!existsSync(join(dir, "never.safetensors")));
  const help: string[] = [];
  await trainCommand(["--help"], (l) => help.push(l));
  assert.match(help.join("\n"), /--checkpoint-every N \| 30s \| 10m \| 1h/);
});

test("--resume of a checkpoint without its sidecar, or with another run's, continues from the weights with a warning", () => {
  const a = join(dir, "warn-a.safetensors"), b = join(dir, "warn-b.safetensors");
  ok([...LENET, "--epochs", "1", "--save", a]);
  ok([...LENET, "--epochs", "1", "--seed", "1", "--save", b]);
  copyFileSync(optimizerStatePath(b), optimizerStatePath(a)); // another run's sidecar
  for (const setUp of [() => {}, () => unlinkSync(optimizerStatePath(a))]) {
    setUp();
    const r = ok([...LENET, "--epochs", "2", "--resume", a, "--save", join(dir, "warn-out.safetensors")]);
    assert.match(r.err, /warning: --resume .*warn-a\.safetensors: no optimizer or run state belongs to it \(.*warn-a\.optim\.safetensors is missing or was written for other weights\): the optimizer starts afresh and the data order and random draws differ, so this run will not end with the same bits as one never interrupted/);
    assert.match(r.out, /resumed from .* after epoch 1\n/);
    assert.match(r.out, /epoch 2\/2/);
  }
  // Other settings than the checkpoint's: said, and not exact.
  const r = ok([...LENET, "--epochs", "2", "--lr", "0.05", "--seed", "1", "--resume", b, "--save", join(dir, "warn-out.safetensors")]);
  assert.match(r.err, /warning: --resume .*: it was trained with lr=0\.1; this run continues with lr=0\.05, so this run will not end/);
  // Another --limit: the loader's position cannot be carried over; refused, naming what differs.
  const limit = train([...LENET, "--epochs", "2", "--limit", "100", "--seed", "1", "--resume", b, "--save", join(dir, "warn-out.safetensors")]);
  assert.equal(limit.code, 1);
  assert.match(limit.err, /the state is for datasetLength 120, this loader has 100/);
});
