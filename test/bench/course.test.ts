// The course rows of the benchmark (issue 14) on fake numbers: selection by prefix, which settings
// time which rows, one process per course row and the merge of a setting's processes, the counted
// timing of the slow rows, and peak RSS through passes, figures, ratios and the printed tables.

import { test } from "node:test";
import assert from "node:assert/strict";
import { measure, planFor } from "../../bench/src/measure.js";
import { mergePasses } from "../../bench/src/passes.js";
import { buildReport, formatMB, formatReport, type Run } from "../../bench/src/report.js";
import { combineProcesses } from "../../bench/src/spawn.js";
import { WORKLOADS, processBatches, runsIn, selectWorkloads, type Workload } from "../../bench/src/workloads.js";

const COURSE_IDS = ["course-modern-lenet", "course-improved-lenet", "course-d2l-lenet", "course-vgg11", "course-resnet18", "course-inception"];
const byId = (id: string) => WORKLOADS.find((w) => w.id === id)!;
const MB = 1e6;

test("selection: --only course (or course-) gives the six course rows, the older prefixes none of them", () => {
  assert.deepEqual(selectWorkloads(["course"]).map((w) => w.id), COURSE_IDS);
  assert.deepEqual(selectWorkloads(["course-"]).map((w) => w.id), COURSE_IDS);
  assert.deepEqual(selectWorkloads(["course-vgg", "course-res"]).map((w) => w.id), ["course-vgg11", "course-resnet18"]);
  assert.deepEqual(selectWorkloads(["train"]).map((w) => w.id), ["train-full", "train-sparse"]);
  for (const id of COURSE_IDS) {
    const w = byId(id);
    assert.ok(w.course && w.ownProcess && w.unit === "img/s" && w.work === w.course.batch, id);
  }
});

test("the seeds' recipes: batch, input, optimizer and learning rate of each course row", () => {
  const recipe = (id: string) => {
    const c = byId(id).course!;
    return [c.model, c.batch, c.input.join("x"), c.optimizer ? `${c.optimizer.name} ${c.optimizer.lr}` : "forward+backward", c.widthDivisor ?? 1];
  };
  assert.deepEqual(COURSE_IDS.map(recipe), [
    ["modern-lenet", 64, "1x28x28", "adam 0.001", 1],
    ["improved-lenet", 64, "1x28x28", "adam 0.0005", 1],
    ["d2l-lenet", 128, "1x28x28", "sgd 0.1", 1],
    ["vgg11", 128, "1x224x224", "sgd 0.01", 4],
    ["d2l-resnet18", 128, "1x96x96", "sgd 0.01", 1],
    ["inception-b3", 128, "192x28x28", "forward+backward", 1],
  ]);
});

test("runsIn: course rows skip TF.js and torchlet's js backend; VGG and ResNet skip the 1-thread settings", () => {
  const vgg = byId("course-vgg11");
  const lenet = byId("course-modern-lenet");
  const inception = byId("course-inception");
  assert.equal(runsIn(vgg, { framework: "torchlet", backend: "wasm", threads: 2 }), true);
  assert.equal(runsIn(vgg, { framework: "torchlet", backend: "wasm", threads: 1 }), false);
  assert.equal(runsIn(vgg, { framework: "torchlet", backend: "wasm", threads: 0 }), true, "no thread pool: the default setting runs it");
  assert.equal(runsIn(vgg, { framework: "pytorch", threads: 1 }), false);
  assert.equal(runsIn(byId("course-resnet18"), { framework: "pytorch", threads: 2 }), true);
  for (const w of [lenet, inception]) {
    assert.equal(runsIn(w, { framework: "torchlet", backend: "wasm", threads: 1 }), true);
    assert.equal(runsIn(w, { framework: "pytorch", threads: 1 }), true);
    assert.equal(runsIn(w, { framework: "torchlet", backend: "js", threads: 2 }), false);
    assert.equal(runsIn(w, { framework: "tfjs", backend: "cpu", threads: 0 }), false);
  }
  for (const w of WORKLOADS.filter((x) => !x.course))
    for (const s of [{ framework: "torchlet", backend: "js", threads: 1 }, { framework: "tfjs", backend: "wasm", threads: 0 }, { framework: "pytorch", threads: 1 }] as const)
      assert.equal(runsIn(w, s), true, `${w.id} still runs everywhere`);
});

test("processBatches: the shared rows in one process as before, then one process per course row", () => {
  const ids = (b: Workload[][]) => b.map((x) => x.map((w) => w.id));
  assert.deepEqual(ids(processBatches(selectWorkloads(["train", "course-vgg", "logreg", "course-inception"]))), [["train-full", "train-sparse", "logreg"], ["course-vgg11"], ["course-inception"]]);
  assert.deepEqual(ids(processBatches(selectWorkloads(["gemm-1024"]))), [["gemm-1024"]]);
  assert.deepEqual(ids(processBatches(selectWorkloads(["course-d2l"]))), [["course-d2l-lenet"]]);
  assert.deepEqual(processBatches([]), []);
});

test("combineProcesses: results united, a crashed process's rows get its reason, a missing framework wins", () => {
  const timed = (s: number) => ({ secondsPerIter: s, rounds: [s], iters: 1, peakRssBytes: 100 * MB });
  const batches = [[{ id: "train-full" }], [{ id: "course-vgg11" }], [{ id: "course-resnet18" }]];
  const ok = combineProcesses([
    { status: "ok", version: "1.13", settings: { threads: 2 }, results: { "train-full": timed(0.01) } },
    { status: "ok", version: "1.13", settings: { threads: 2 }, results: { "course-vgg11": timed(20) } },
    { status: "error", reason: "exited with SIGKILL", results: {} },
  ], batches);
  assert.equal(ok.status, "error");
  assert.equal(ok.version, "1.13");
  assert.deepEqual(ok.results, { "train-full": timed(0.01), "course-vgg11": timed(20), "course-resnet18": { error: "exited with SIGKILL" } });
  const missing = combineProcesses([{ status: "ok", results: {} }, { status: "missing", reason: "no torch", results: {} }], batches.slice(0, 2));
  assert.equal(missing.status, "missing");
  assert.equal(missing.reason, "no torch");
  const one = { status: "ok" as const, results: { x: timed(1) } };
  assert.equal(combineProcesses([one], [[{ id: "x" }]]), one);
});

test("counted timing: the slow rows take warm-up steps, then one step per round (quick 1, full 3)", () => {
  const quick = { warmupSeconds: 0.15, rounds: 2, roundSeconds: 0.2, stepRounds: 1 };
  const full = { warmupSeconds: 0.5, rounds: 3, roundSeconds: 0.8, stepRounds: 3 };
  assert.deepEqual(planFor(byId("course-vgg11"), quick), { warmupSeconds: 0, rounds: 1, roundSeconds: 0, warmupSteps: 1 });
  assert.deepEqual(planFor(byId("course-resnet18"), full), { warmupSeconds: 0, rounds: 3, roundSeconds: 0, warmupSteps: 1 });
  assert.deepEqual(planFor(byId("course-inception"), full), { warmupSeconds: 0, rounds: 3, roundSeconds: 0, warmupSteps: 2 });
  assert.equal(planFor(byId("course-modern-lenet"), full).warmupSteps, undefined, "the LeNets are timed in seconds");
  assert.equal(planFor(byId("course-modern-lenet"), full).warmupSeconds, 3);
  let calls = 0;
  const o = measure(() => void calls++, planFor(byId("course-inception"), full));
  assert.ok("secondsPerIter" in o && o.iters === 3 && o.rounds.length === 3 && o.secondsPerIter === Math.min(...o.rounds));
  assert.equal(calls, 5, "2 warm-up steps and 3 timed");
});

test("passes: peak RSS is the highest of the passes", () => {
  const run = (s: number, rss?: number): Run => ({ id: "pytorch-2t", label: "PyTorch 2t", group: "pytorch", tag: "2t", status: "ok", results: { "course-vgg11": { secondsPerIter: s, rounds: [s], iters: 1, ...(rss !== undefined && { peakRssBytes: rss }) } } });
  assert.deepEqual(mergePasses([run(20, 900 * MB), run(18, 950 * MB)]).results["course-vgg11"], { secondsPerIter: 18, rounds: [20, 18], iters: 2, peakRssBytes: 950 * MB });
  assert.equal("peakRssBytes" in mergePasses([run(1), run(2)]).results["course-vgg11"], false);
});

const t = (secondsPerIter: number, peakRssBytes?: number) => ({ secondsPerIter, rounds: [secondsPerIter], iters: 1, ...(peakRssBytes !== undefined && { peakRssBytes }) });
function fakeRuns(): Run[] {
  return [
    { id: "torchlet-wasm-1t", label: "torchlet wasm 1t", group: "torchlet", tag: "1t", status: "ok", results: { "course-modern-lenet": t(0.01, 180 * MB), "train-full": t(0.006, 300 * MB) } },
    { id: "torchlet-wasm-2t", label: "torchlet wasm 2t", group: "torchlet", tag: "2t", status: "ok", results: { "course-modern-lenet": t(0.008, 200 * MB), "course-vgg11": t(16, 2500 * MB), "train-full": t(0.005, 310 * MB) } },
    { id: "pytorch-1t", label: "PyTorch 1t", group: "pytorch", tag: "1t", status: "ok", version: "1.13", results: { "course-modern-lenet": t(0.012, 250 * MB), "train-full": t(0.007, 400 * MB) } },
    { id: "pytorch-2t", label: "PyTorch 2t", group: "pytorch", tag: "2t", status: "ok", version: "1.13", results: { "course-modern-lenet": t(0.016, 270 * MB), "course-vgg11": t(32, 1600 * MB), "train-full": t(0.006, 410 * MB) } },
    { id: "tfjs-cpu", label: "TF.js cpu", group: "tfjs-cpu", tag: "", status: "ok", results: { "train-full": t(5) } },
  ];
}
const META = { date: "2025-01-01T00:00:00.000Z", mode: "quick" as const, command: "bench --quick", machine: { cores: 2 } };
const workloads = selectWorkloads(["train-full", "course-modern", "course-vgg"]);

test("report: each row's ratio and targets, RSS of the two compared runs and its ratio for the course rows", () => {
  const r = buildReport(META, workloads, fakeRuns());
  const find = (w: string, peer: string) => r.ratios.find((x) => x.workload === w && x.peer === peer)!;
  const lenet = find("course-modern-lenet", "pytorch");
  assert.equal(lenet.torchlet, "torchlet-wasm-2t");
  assert.ok(Math.abs(lenet.timeRatio - 0.008 / 0.012) < 1e-12, "PyTorch's best setting is its 1t run here");
  assert.ok(Math.abs(lenet.rssRatio! - 200 / 250) < 1e-12, "RSS of the runs whose times are compared");
  assert.equal(lenet.target, "time < 1.0 (goal 0.67)");
  assert.equal(lenet.met, true);
  assert.equal(lenet.rssMet, true);
  const vgg = find("course-vgg11", "pytorch");
  assert.equal(vgg.timeRatio, 0.5);
  assert.equal(vgg.target, "time < 1.0 (goal 0.5)");
  assert.ok(Math.abs(vgg.rssRatio! - 2500 / 1600) < 1e-12 && vgg.rssMet === false && vgg.rssTarget === "peak RSS <= 1.25x");
  const train = find("train-full", "pytorch");
  assert.equal(train.rssRatio, undefined, "a shared-process row has no RSS ratio: its RSS is every earlier row's too");
  assert.equal(find("train-full", "tfjs-cpu").rssRatio, undefined);
  assert.deepEqual(r.figures["course-vgg11"]["torchlet-wasm-1t"], { notRun: "not measured by this run" });
});

test("printed: the RSS table for the course rows only, the ratio table's RSS column and targets", () => {
  const text = formatReport(buildReport(META, workloads, fakeRuns()));
  const rssTable = text.slice(text.indexOf("Peak RSS"), text.indexOf("Ratios"));
  assert.match(rssTable, /\| modern LeNet training, Adam, batch 64, 1x28x28 +\| +180 MB \| +200 MB \| +250 MB \| +not run \|/);
  assert.match(rssTable, /\| d2l VGG-11 \/ 4 training, SGD, batch 128, 1x224x224 +\| +not run \| +2,500 MB \| +1,600 MB \| +not run \|/);
  assert.doesNotMatch(rssTable, /LeNet-5/);
  assert.match(text, /torchlet wasm 2t: 8,000 \| +0\.67 \(1\.50x\) \| +not run \| +not run \| +0\.80 \| time < 1\.0 \(goal 0\.67\) \(pytorch\): met; peak RSS <= 1\.25x \(pytorch\): met +\|/);
  assert.match(text, /torchlet wasm 2t: 8\.00 \| +0\.50 \(2\.00x\) \| +not run \| +not run \| +1\.56 \| time < 1\.0 \(goal 0\.5\) \(pytorch\): met; peak RSS <= 1\.25x \(pytorch\): not met +\|/);
  assert.match(text, /LeNet-5 full C3 training, batch 100 +\| torchlet wasm 2t: 20,000 \| +0\.83 \(1\.20x\) \| +0\.00 \(1000\.00x\) \| +not run \| +- \|/);
});

test("formatMB", () => {
  assert.deepEqual([1_509_000_000, 189_400_000, 78_940_000].map(formatMB), ["1,509 MB", "189 MB", "78.9 MB"]);
});
