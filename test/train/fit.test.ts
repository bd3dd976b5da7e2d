// train/fit.ts, the one training loop: the same weights as the epochs written out by hand, what
// it writes through its sink (metrics log, one checkpoint per epoch), a stop request, a run that
// diverges, a resumed run's numbering, and no node: import anywhere below it (the page's Web
// Worker runs it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import type { Module } from "../../src/nn/module.js";
import type { Optimizer } from "../../src/optim/optimizer.js";
import { DivergedError, fit, type FitSink } from "../../src/train/fit.js";
import { countArgmaxCorrect, evaluate, trainEpoch, type Batches } from "../../src/train/loop.js";
import { parseMetrics } from "../../src/train/metrics.js";

const lossFn = (o: Tensor, y: Tensor) => torch.F.crossEntropy(o, y);

/** 4 batches of 5 random 6-feature rows with labels 0..2, and a 2-batch test set. */
function batches(seed: number, n: number): Batches {
  const g = new torch.Generator(seed);
  const list: [Tensor, Tensor][] = Array.from({ length: n }, (_, i) => [torch.randn([5, 6], { generator: g }), torch.tensor([0, 1, 2, i % 3, (i + 1) % 3])]);
  return Object.assign(list, { length: n });
}

function setUp(lr = 0.1): { model: Module; optimizer: Optimizer } {
  torch.manualSeed(5);
  const model = new torch.nn.Sequential(new torch.nn.Linear(6, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 3));
  return { model, optimizer: new torch.optim.SGD(model.parameters(), { lr, momentum: 0.9 }) };
}

interface Saved {
  info: Record<string, string>;
  withOptimizer: boolean;
  params: number[][];
}

function memorySink(): FitSink & { lines: string[]; saved: Saved[] } {
  const lines: string[] = [], saved: Saved[] = [];
  return {
    where: "memory", lines, saved,
    metricsLine: (l) => lines.push(l),
    saveCheckpoint: (model, info, optimizer) => saved.push({ info, withOptimizer: optimizer !== undefined, params: model.parameters().map((p) => Array.from(p.data)) }),
  };
}

const params = (m: Module) => m.parameters().map((p) => Array.from(p.data));

test("fit = trainEpoch and evaluate per epoch, bit for bit; it logs every epoch and checkpoints each one", () => {
  const train = batches(1, 4), testSet = batches(2, 2);
  const byHand = setUp();
  const handTests = [1, 2, 3].map(() => {
    trainEpoch(byHand.model, byHand.optimizer, lossFn, train, undefined, countArgmaxCorrect);
    return evaluate(byHand.model, lossFn, testSet, countArgmaxCorrect);
  });
  const run = setUp(), sink = memorySink();
  const events: string[] = [];
  const result = fit({
    ...run, lossFn, isCorrect: countArgmaxCorrect, train, test: testSet, epochs: 3, info: { model: "tiny" }, sink, metricsEvery: 2,
    onEpochStart: (e) => events.push(`start ${e}`),
    onStep: (e, s) => events.push(`step ${e}.${s.step}`),
    onTrainEnd: (e) => events.push(`trained ${e}`),
    onEpoch: (r) => events.push(`epoch ${r.epoch}/${r.epochs} test ${r.test!.accuracy}`),
  });
  assert.deepEqual(params(run.model), params(byHand.model));
  assert.deepEqual(result, { epoch: 3, test: { ...handTests[2], seconds: result.test!.seconds }, stopped: false });
  assert.deepEqual(events.slice(0, 7), ["start 1", "step 1.1", "step 1.2", "step 1.3", "step 1.4", "trained 1", `epoch 1/3 test ${handTests[0].accuracy}`]);
  assert.equal(events.length, 3 * 7);
  // Checkpoints: one per epoch with the optimizer's state; the last holds the final weights.
  assert.deepEqual(sink.saved.map((s) => [s.info, s.withOptimizer]), [1, 2, 3].map((e) => [{ model: "tiny", epoch: String(e) }, true]));
  assert.deepEqual(sink.saved[2].params, params(run.model));
  // The metrics log: a run record, step records every 2 steps, an epoch record per epoch.
  const log = parseMetrics(sink.lines.join("\n"));
  assert.deepEqual(log.runs.map((r) => [r.startEpoch, r.stepsPerEpoch, r.every, r.info]), [[0, 4, 2, { model: "tiny" }]]);
  assert.deepEqual(log.steps.map((s) => s.globalStep), [2, 4, 6, 8, 10, 12]);
  assert.deepEqual(log.epochs.map((e) => [e.epoch, e.testAccuracy]), handTests.map((t, i) => [i + 1, t.accuracy]));
});

test("a stop request ends the run before the next step and saves the model as it is, without optimizer state", () => {
  const run = setUp(), sink = memorySink();
  let steps = 0;
  const result = fit({
    ...run, lossFn, isCorrect: countArgmaxCorrect, train: batches(1, 4), test: batches(2, 2), epochs: 3, sink,
    onStep: () => steps++,
    shouldStop: () => steps === 6,
  });
  assert.equal(steps, 6);
  assert.deepEqual([result.epoch, result.stopped], [1, true]);
  assert.deepEqual(sink.saved.map((s) => [s.info, s.withOptimizer]), [[{ epoch: "1" }, true], [{ epoch: "1", stoppedInEpoch: "2" }, false]]);
  assert.deepEqual(sink.saved[1].params, params(run.model));
});

test("a diverging run stops with the epoch and what the checkpoint keeps", () => {
  // The loss turns NaN at its 3rd call (epoch 1) or, resumed after epoch 2, in the first epoch run.
  const nanFrom = (k: number) => {
    let calls = 0;
    return (o: Tensor, y: Tensor) => (++calls >= k ? lossFn(o, y).mul(NaN) : lossFn(o, y));
  };
  const o = { isCorrect: countArgmaxCorrect, train: batches(1, 4), test: batches(2, 2), epochs: 3 };
  assert.throws(() => fit({ ...setUp(), ...o, lossFn: nanFrom(3), sink: memorySink() }), (e: unknown) =>
    e instanceof DivergedError && e.epoch === 1 && /^epoch 1: the loss became NaN at step 3; training stopped .*; nothing was saved$/.test(e.message));
  assert.throws(() => fit({ ...setUp(), ...o, lossFn: nanFrom(2), startEpoch: 2, sink: memorySink() }), /epoch 3: the loss became NaN at step 2; .*; memory keeps the last good epoch$/);
});

test("a resumed run numbers its epochs from startEpoch + 1, and nothing is written without a sink", () => {
  const sink = memorySink();
  const seen: number[] = [];
  const r = fit({ ...setUp(), lossFn, isCorrect: countArgmaxCorrect, train: batches(1, 2), test: batches(2, 1), epochs: 4, startEpoch: 2, sink, onEpoch: (e) => seen.push(e.epoch) });
  assert.deepEqual([seen, r.epoch], [[3, 4], 4]);
  assert.equal(parseMetrics(sink.lines.join("\n")).runs[0].startEpoch, 2);
  assert.deepEqual(sink.saved.map((s) => s.info.epoch), ["3", "4"]);
  const none = fit({ ...setUp(), lossFn, isCorrect: countArgmaxCorrect, train: batches(1, 2), epochs: 1 });
  assert.deepEqual([none.epoch, none.test, none.stopped], [1, null, false]);
});

test("fit.ts and everything it imports are free of node: modules (it runs in a Web Worker)", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    // Runtime imports only: the compiled JavaScript has no `import type`.
    for (const [, spec] of readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)) {
      assert.ok(!spec.startsWith("node:"), `${file} imports ${spec}`);
      if (spec.startsWith(".")) visit(join(dirname(file), spec));
    }
  };
  const fitFile = join(here, "../../src/train/fit.js");
  visit(fitFile);
  assert.ok(seen.has(join(here, "../../src/train/loop.js")), `followed ${[...seen].join(", ")}`);
});
