// train/fit.ts's mid-epoch checkpoints and exact resume, in process: a run (dropout, Adam, a
// shuffled DataLoader) resumed in fresh objects from each of the checkpoints it wrote (mid-epoch
// and at epoch ends, the run state round-tripped through JSON as the sidecar keeps it) ends with
// the uninterrupted run's weights, optimizer state and metrics records; what checkpointEvery
// saves and when; bad options. (test/cli/train-resume.test.ts kills real processes.)

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { DataLoader, TensorDataset } from "../../src/data/index.js";
import type { Module } from "../../src/nn/module.js";
import type { Optimizer } from "../../src/optim/optimizer.js";
import { fit, type FitOptions, type FitRunState, type FitSink } from "../../src/train/fit.js";
import { countArgmaxCorrect } from "../../src/train/loop.js";
import { parseMetrics } from "../../src/train/metrics.js";

const lossFn = (o: Tensor, y: Tensor) => torch.F.crossEntropy(o, y);
const ITEMS = 30, BATCH = 4, EPOCHS = 3; // 8 steps an epoch, the last of 2 items

function dataset(seed: number, n: number): TensorDataset {
  const g = new torch.Generator(seed);
  const y = Float32Array.from({ length: n }, () => g.randint(3));
  return new TensorDataset(torch.randn([n, 6], { generator: g }), new torch.Tensor(y, [n]));
}

/** A fresh run: model with dropout, Adam, a loader shuffling with the default generator. */
function setUp(): Pick<FitOptions, "model" | "optimizer" | "lossFn" | "isCorrect" | "train" | "test" | "epochs" | "metricsEvery" | "info"> & { model: Module; optimizer: Optimizer } {
  torch.manualSeed(5);
  const model = new torch.nn.Sequential(new torch.nn.Linear(6, 16), new torch.nn.ReLU(), new torch.nn.Dropout(0.3), new torch.nn.Linear(16, 3));
  return {
    model, optimizer: new torch.optim.Adam(model.parameters(), { lr: 0.01 }), lossFn, isCorrect: countArgmaxCorrect,
    train: new DataLoader(dataset(1, ITEMS), { batchSize: BATCH, shuffle: true }),
    test: new DataLoader(dataset(2, 10), { batchSize: 5 }),
    epochs: EPOCHS, metricsEvery: 3, info: { model: "tiny" },
  };
}

interface Saved {
  info: Record<string, string>;
  model: Record<string, Tensor>;
  optimizer: ReturnType<Optimizer["stateDict"]>;
  run?: string;
}

function sink(): FitSink & { lines: string[]; saved: Saved[] } {
  const lines: string[] = [], saved: Saved[] = [];
  return {
    where: "memory", lines, saved,
    metricsLine: (l) => lines.push(l),
    // Copies, as a file would hold them; the run state as the sidecar's JSON.
    saveCheckpoint: (model, info, optimizer, run) => saved.push({
      info, model: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()])),
      optimizer: structuredClone(optimizer!.stateDict()), ...(run && { run: JSON.stringify(run) }),
    }),
  };
}

const params = (m: Module) => m.parameters().map((p) => Array.from(p.data));

/** The log's step and epoch records without the figures that measure time or memory. */
function records(lines: string[]) {
  const log = parseMetrics(lines.join("\n"));
  const timeless = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => !/^(time|imagesPerSecond|seconds|peakRssMB|heapMB|externalMB|arrayBuffersMB)$/.test(k)));
  return { steps: log.steps.map(timeless), epochs: log.epochs.map(timeless) };
}

test("resumed in fresh objects from any checkpoint it wrote, fit ends with the straight run's weights, optimizer state and metrics", () => {
  const straight = setUp(), out = sink();
  fit({ ...straight, sink: out, checkpointEvery: { steps: 3 } });
  // Global steps 3, 6 (epoch 1), 9, 12, 15 (epoch 2), 18, 21 (epoch 3) and the three epoch ends.
  assert.deepEqual(out.saved.map((s) => [s.info.epoch, s.info.step]), [
    ["0", "3"], ["0", "6"], ["1", undefined], ["1", "1"], ["1", "4"], ["1", "7"], ["2", undefined], ["2", "2"], ["2", "5"], ["3", undefined],
  ]);
  const want = records(out.lines);
  assert.equal(want.steps.length, EPOCHS * 3);
  for (const [i, saved] of out.saved.entries()) {
    torch.manualSeed(99); // what the generator did meanwhile must not matter
    torch.randn([3]);
    const fresh = setUp();
    fresh.model.loadStateDict(saved.model);
    fresh.optimizer.loadStateDict(saved.optimizer);
    const resumed = sink();
    const r = fit({ ...fresh, sink: resumed, checkpointEvery: { steps: 3 }, resume: JSON.parse(saved.run!) as FitRunState });
    assert.deepEqual([r.epoch, r.stopped], [EPOCHS, false]);
    const what = `resumed from checkpoint ${i} (epoch ${saved.info.epoch}, step ${saved.info.step ?? "-"})`;
    assert.deepEqual(params(fresh.model), params(straight.model), `${what}: weights`);
    assert.deepEqual(fresh.optimizer.stateDict(), straight.optimizer.stateDict(), `${what}: optimizer state`);
    // The later checkpoints again, with the same run states.
    assert.deepEqual(resumed.saved.map((s) => s.run), out.saved.slice(i + 1).map((s) => s.run), `${what}: later run states`);
    // A killed run may have written all of the straight run's records past the checkpoint: the
    // resumed run's "run" record drops them, and its own records take their place.
    assert.deepEqual(records([...out.lines, ...resumed.lines]), want, `${what}: metrics`);
  }
});

test("checkpointEvery.seconds saves mid-epoch when the time has come (never on an epoch's last step); none without it", () => {
  const every = sink();
  fit({ ...setUp(), epochs: 1, sink: every, checkpointEvery: { seconds: 1e-9 } });
  assert.deepEqual(every.saved.map((s) => s.info.step ?? "end"), ["1", "2", "3", "4", "5", "6", "7", "end"]);
  assert.ok(every.saved.every((s) => s.run !== undefined));
  const hourly = sink();
  fit({ ...setUp(), epochs: 1, sink: hourly, checkpointEvery: { seconds: 3600 } });
  assert.deepEqual(hourly.saved.map((s) => s.info.step ?? "end"), ["end"]);
});

test("fit refuses bad checkpointEvery values, batches that cannot tell their position, and a resume state not its own", () => {
  for (const e of [{ steps: 0 }, { steps: 1.5 }, { seconds: -1 }, { seconds: NaN }, {}]) {
    assert.throws(() => fit({ ...setUp(), checkpointEvery: e }), /fit: checkpointEvery expects steps \(a positive integer\) or seconds \(a positive number\)/);
  }
  const arrays = Object.assign([[torch.randn([2, 6]), torch.tensor([0, 1])]] as [Tensor, Tensor][], { length: 1 });
  assert.throws(() => fit({ ...setUp(), train: arrays, checkpointEvery: { steps: 1 } }), /fit: checkpointEvery needs train batches with stateDict\(\) and loadStateDict\(\) \(a DataLoader\)/);
  const out = sink();
  fit({ ...setUp(), epochs: 1, sink: out, checkpointEvery: { steps: 5 } });
  const state = JSON.parse(out.saved[0].run!) as FitRunState;
  assert.throws(() => fit({ ...setUp(), resume: { ...state, step: 8 } }), /fit: resume expects the run state of a checkpoint fit saved; step is 8, not within an epoch of 8 steps/);
  assert.throws(() => fit({ ...setUp(), resume: { ...state, totals: undefined! } }), /totals is undefined/);
  assert.throws(() => fit({ ...setUp(), resume: state, startEpoch: 2 }), /fit: startEpoch 2 disagrees with the resume state's epoch 0/);
  assert.throws(() => fit({ ...setUp(), train: new DataLoader(dataset(1, ITEMS), { batchSize: 5, shuffle: true }), resume: state }), /the state is for batchSize 4, this loader has 5/);
});

test("a run that diverges after a mid-epoch checkpoint says that checkpoint is what the sink keeps", () => {
  let calls = 0;
  const nanFrom5 = (o: Tensor, y: Tensor) => (++calls >= 5 ? lossFn(o, y).mul(NaN) : lossFn(o, y));
  assert.throws(() => fit({ ...setUp(), lossFn: nanFrom5, sink: sink(), checkpointEvery: { steps: 3 } }),
    /^Error: epoch 1: the loss became NaN at step 5; training stopped .*; memory keeps the checkpoint of epoch 1, step 3$/);
});
