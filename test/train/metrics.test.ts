// The metrics log: what the recorder writes for a run, and how a log is read back (resumed runs,
// a torn last line, bad lines).

import { test } from "node:test";
import assert from "node:assert/strict";
import { MetricsRecorder, metricsPath, parseMetrics, type EpochRecord, type StepRecord } from "../../src/train/metrics.js";

test("metricsPath sits next to the checkpoint", () => {
  assert.equal(metricsPath("runs/lenet5-sparse.safetensors"), "runs/lenet5-sparse.metrics.jsonl");
  assert.equal(metricsPath("runs/model"), "runs/model.metrics.jsonl");
});

test("the recorder writes a run line, a step line every `every` steps (window means) and an epoch line", () => {
  const lines: string[] = [];
  let clock = 0;
  const rec = new MetricsRecorder((l) => lines.push(l), { every: 2, now: () => clock });
  rec.start({ model: "logreg" }, { startEpoch: 0, stepsPerEpoch: 5 });
  // 5 steps of batch 4; losses 1..5; correct counts per step 1, 2, 3, 4, 4 (cumulative below).
  const correct = [1, 3, 6, 10, 14];
  for (let s = 1; s <= 5; s++) {
    clock = 100 * s;
    rec.step(1, { step: s, steps: 5, loss: s, seen: 4 * s, elapsedMs: 100 * s, correct: correct[s - 1] });
  }
  clock = 1000;
  rec.epoch(1, { loss: 3, images: 20, seconds: 0.5, imagesPerSecond: 40, accuracy: 0.7 }, { loss: 0.25, seedAverageLoss: 0.01, correct: 9, total: 10, accuracy: 0.9, seconds: 0.1 });
  const records = lines.map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.type), ["run", "step", "step", "step", "epoch"]);
  assert.deepEqual(records[0].info, { model: "logreg" });
  assert.deepEqual(records.slice(1, 4).map((r: StepRecord) => [r.step, r.globalStep, r.loss, r.accuracy, r.time]), [
    [2, 2, 1.5, 3 / 8, 0.2], [4, 4, 3.5, 7 / 8, 0.4], [5, 5, 5, 4 / 4, 0.5],
  ]);
  assert.equal(records[1].imagesPerSecond, 40);
  const e = records[4] as EpochRecord;
  assert.deepEqual([e.epoch, e.globalStep, e.trainLoss, e.trainAccuracy, e.testLoss, e.testAccuracy, e.time], [1, 5, 3, 0.7, 0.25, 0.9, 1]);
  assert.throws(() => new MetricsRecorder(() => {}, { every: 0 }), /every must be a positive integer, got 0/);
});

test("step records leave accuracy out when the loop cannot tell, and restart their window each epoch", () => {
  const lines: string[] = [];
  const rec = new MetricsRecorder((l) => lines.push(l), { every: 10 });
  rec.start({}, { startEpoch: 0, stepsPerEpoch: 3 });
  for (const epoch of [1, 2]) for (let s = 1; s <= 3; s++) rec.step(epoch, { step: s, steps: 3, loss: epoch, seen: s, elapsedMs: 1 });
  const steps = lines.slice(1).map((l) => JSON.parse(l) as StepRecord);
  assert.deepEqual(steps.map((s) => [s.epoch, s.globalStep, s.loss, "accuracy" in s]), [[1, 3, 1, false], [2, 6, 2, false]]);
});

test("parseMetrics keeps one copy of each epoch when a resumed run continues the log", () => {
  const run = (startEpoch: number) => JSON.stringify({ type: "run", start: "", startEpoch, stepsPerEpoch: 2, every: 1, info: {} });
  const step = (epoch: number, step: number) => JSON.stringify({ type: "step", epoch, step, steps: 2, globalStep: (epoch - 1) * 2 + step, loss: 1, imagesPerSecond: 1, time: 0 });
  const epoch = (e: number, acc: number) => JSON.stringify({ type: "epoch", epoch: e, globalStep: 2 * e, trainLoss: 1, testLoss: 1, testAccuracy: acc, imagesPerSecond: 1, seconds: 1, time: 0 });
  // Epoch 2 was interrupted after one step; the resumed run restarts it from the epoch-1 checkpoint.
  const text = [run(0), step(1, 1), step(1, 2), epoch(1, 0.5), step(2, 1), run(1), step(2, 1), step(2, 2), epoch(2, 0.7), '{"type":"st'].join("\n");
  const log = parseMetrics(text);
  assert.equal(log.runs.length, 2);
  assert.deepEqual(log.steps.map((s) => s.globalStep), [1, 2, 3, 4]);
  assert.deepEqual(log.epochs.map((e) => [e.epoch, e.testAccuracy]), [[1, 0.5], [2, 0.7]]);
});

test("parseMetrics drops what a killed run wrote past a mid-epoch checkpoint (the run record's startStep)", () => {
  const run = (startEpoch: number, startStep?: number) => JSON.stringify({ type: "run", start: "", startEpoch, ...(startStep && { startStep }), stepsPerEpoch: 4, every: 1, info: {} });
  const step = (epoch: number, step: number, loss = 1) => JSON.stringify({ type: "step", epoch, step, steps: 4, globalStep: (epoch - 1) * 4 + step, loss, imagesPerSecond: 1, time: 0 });
  const epoch = (e: number) => JSON.stringify({ type: "epoch", epoch: e, globalStep: 4 * e, trainLoss: 1, testLoss: 1, testAccuracy: 0.5, imagesPerSecond: 1, seconds: 1, time: 0 });
  // Checkpoint after epoch 1's step 2; the first run went on to epoch 2's step 1 before it was killed.
  const text = [run(0), step(1, 1), step(1, 2), step(1, 3), step(1, 4), epoch(1), step(2, 1), run(0, 2), step(1, 3, 7), step(1, 4, 7), epoch(1)].join("\n");
  const log = parseMetrics(text);
  assert.deepEqual(log.steps.map((s) => [s.globalStep, s.loss]), [[1, 1], [2, 1], [3, 7], [4, 7]]);
  assert.deepEqual(log.epochs.map((e) => e.epoch), [1]);
});

test("the recorder's open window carries over to a new recorder (a resumed run's next record is the same)", () => {
  const records = (split: boolean) => {
    const lines: string[] = [];
    let rec = new MetricsRecorder((l) => lines.push(l), { every: 3, now: () => 0 });
    for (let s = 1; s <= 3; s++) {
      rec.step(1, { step: s, steps: 6, loss: s / 7, seen: 2 * s, elapsedMs: 1, correct: s });
      if (split && s === 2) {
        const w = JSON.parse(JSON.stringify(rec.window()));
        rec = new MetricsRecorder((l) => lines.push(l), { every: 3, now: () => 0 });
        rec.restoreWindow(w);
      }
    }
    return lines.map((l) => JSON.parse(l) as StepRecord).map((r) => [r.step, r.loss, r.accuracy]);
  };
  assert.deepEqual(records(true), records(false));
  assert.deepEqual(records(false), [[3, (1 / 7 + 2 / 7 + 3 / 7) / 3, 1 / 2]]);
  assert.throws(() => new MetricsRecorder(() => {}).restoreWindow({ loss: 1 } as never), /MetricsRecorder\.restoreWindow: expected a window from window\(\), steps is undefined/);
});

test("parseMetrics names a bad line", () => {
  assert.throws(() => parseMetrics('{"type":"run"}\nnot json\n{"type":"step"}', "a.jsonl"), /a\.jsonl: line 2 is not JSON: not json/);
  assert.throws(() => parseMetrics('{"type":"lap"}\n', "a.jsonl"), /a\.jsonl: line 1 has unknown type "lap" \(expected run, step or epoch\)/);
});
