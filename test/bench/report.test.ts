// The benchmark's report on fake numbers (no workload runs here): best-of-settings figures,
// time and speed ratios with issue 5's targets, missing / unsupported / skipped peers shown as
// such, the printed tables, the JSON shape, and the timing helper's slow-iteration rule.

import { test } from "node:test";
import assert from "node:assert/strict";
import { measure, planFor } from "../../bench/src/measure.js";
import { buildReport, formatNumber, formatReport, markdownTable, type Run } from "../../bench/src/report.js";
import { TRAINING_WARMUP_SECONDS, WORKLOADS, figure, selectWorkloads } from "../../bench/src/workloads.js";

const timed = (secondsPerIter: number) => ({ secondsPerIter, rounds: [secondsPerIter * 1.1, secondsPerIter], iters: 10 });

function fakeRuns(): Run[] {
  return [
    { id: "torchlet-js", label: "torchlet js", group: "torchlet", tag: "", status: "ok", version: "0.1.0", results: { "train-full": timed(1), latency: timed(0.004), logreg: timed(2e-5), "gemm-1024": timed(4) } },
    { id: "torchlet-wasm-2t", label: "torchlet wasm 2t", group: "torchlet", tag: "2t", status: "ok", results: { "train-full": timed(0.1), latency: timed(0.002), logreg: timed(1e-5), "gemm-1024": timed(0.05) } },
    { id: "pytorch-1t", label: "PyTorch 1t", group: "pytorch", tag: "1t", status: "ok", version: "1.13", results: { "train-full": timed(0.2), latency: timed(0.001), logreg: timed(2e-4) } },
    { id: "pytorch-2t", label: "PyTorch 2t", group: "pytorch", tag: "2t", status: "ok", version: "1.13", results: { "train-full": timed(0.15), latency: timed(0.003), logreg: { error: "boom" }, "gemm-1024": timed(0.015) } },
    { id: "tfjs-cpu", label: "TF.js cpu", group: "tfjs-cpu", tag: "", status: "missing", reason: "@tensorflow/tfjs is not installed", results: {} },
    { id: "tfjs-wasm", label: "TF.js wasm", group: "tfjs-wasm", tag: "", status: "ok", results: { "train-full": { unsupported: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" }, latency: timed(0.001) } },
  ];
}

const META = { date: "2025-01-01T00:00:00.000Z", mode: "quick" as const, command: "bench --quick", machine: { cores: 2 } };
const ids = ["train-full", "latency", "logreg", "gemm-1024"];
const workloads = WORKLOADS.filter((w) => ids.includes(w.id));

test("figures: each torchlet run, and each peer's best setting with its tag", () => {
  const r = buildReport(META, workloads, fakeRuns());
  assert.deepEqual(r.figures["train-full"]["torchlet-wasm-2t"], { value: 1000, secondsPerIter: 0.1, run: "torchlet-wasm-2t", tag: "2t" });
  const py = r.figures["train-full"].pytorch;
  assert.ok("value" in py && py.run === "pytorch-2t" && py.tag === "2t" && Math.abs(py.value - 100 / 0.15) < 1e-9);
  const lat = r.figures.latency.pytorch;
  assert.ok("value" in lat && lat.run === "pytorch-1t" && Math.abs(lat.value - 1) < 1e-12, "latency is in ms and lower wins");
  assert.deepEqual(r.figures.logreg.pytorch, { value: 5000, secondsPerIter: 2e-4, run: "pytorch-1t", tag: "1t" }, "an error in one setting leaves the other's figure");
  assert.deepEqual(r.figures["train-full"]["tfjs-cpu"], { missing: "@tensorflow/tfjs is not installed" });
  assert.deepEqual(r.figures["train-full"]["tfjs-wasm"], { unsupported: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" });
  assert.deepEqual(r.figures.logreg["tfjs-wasm"], { notRun: "not measured by this run" });
  assert.equal(figure(WORKLOADS.find((w) => w.id === "gemm-1024")!, 2 * 1024 ** 3 / 1e9), 1, "GFLOP/s");
});

test("ratios: best torchlet time / peer time, speed = 1 / time, targets checked", () => {
  const r = buildReport(META, workloads, fakeRuns());
  const find = (w: string, peer: string) => r.ratios.find((x) => x.workload === w && x.peer === peer)!;
  const train = find("train-full", "pytorch");
  assert.equal(train.torchlet, "torchlet-wasm-2t");
  assert.ok(Math.abs(train.timeRatio - 0.1 / 0.15) < 1e-12 && Math.abs(train.speedup - 1.5) < 1e-12);
  assert.equal(train.target, "time < 1.0 (goal 0.5)");
  assert.equal(train.met, true);
  assert.equal(find("logreg", "pytorch").met, true, "20x PyTorch's steps/s meets >= 10x");
  const gemm = find("gemm-1024", "pytorch");
  assert.ok(Math.abs(gemm.speedup - 0.3) < 1e-12 && gemm.met === false, "30% of OpenBLAS misses 40%");
  assert.equal(find("latency", "tfjs-wasm").timeRatio, 2);
  assert.equal(r.ratios.some((x) => x.peer === "tfjs-cpu" || (x.workload === "train-full" && x.peer === "tfjs-wasm")), false, "no ratio without two figures");
});

test("printed tables: labelled ratios, missing and unsupported peers named, notes with the full text", () => {
  const text = formatReport(buildReport(META, workloads, fakeRuns()));
  assert.match(text, /time = torchlet time \/ peer time/);
  assert.match(text, /\| LeNet-5 full C3 training, batch 100 +\| +img\/s \| +100 \| +1,000 \| +667 \(2t\) \| +missing \| +unsupported \|/);
  assert.match(text, /torchlet wasm 2t: 1,000 \| +0\.67 \(1\.50x\) \| +missing \| +unsupported \| +- \| time < 1\.0 \(goal 0\.5\) \(pytorch\): met +\|/);
  assert.doesNotMatch(text, /Peak RSS/, "no RSS table without own-process rows");
  assert.match(text, /TF\.js cpu: missing: @tensorflow\/tfjs is not installed/);
  assert.match(text, /TF\.js wasm, train-full: unsupported: Kernel 'Conv2DBackpropFilter'/);
  assert.match(text, /PyTorch 2t, logreg: error: boom/);
  const tableLines = text.split("\n").filter((l) => l.startsWith("|"));
  assert.equal(tableLines.length, 2 * (workloads.length + 2));
  for (const l of tableLines.slice(0, workloads.length + 2)) assert.equal(l.length, tableLines[0].length, "columns are aligned");
});

test("JSON: every figure and run survives a round trip", () => {
  const r = buildReport(META, workloads, fakeRuns());
  const back = JSON.parse(JSON.stringify(r));
  assert.deepEqual(Object.keys(back), ["schema", "date", "mode", "command", "machine", "workloads", "runs", "figures", "torchletBest", "ratios"]);
  assert.equal(back.schema, "torchlet-bench/1");
  assert.deepEqual(back.runs.map((x: Run) => x.id), fakeRuns().map((x) => x.id));
  assert.deepEqual(back.runs[0].results["train-full"], timed(1));
  assert.deepEqual(Object.keys(back.figures), ids);
  assert.deepEqual(Object.keys(back.figures["train-full"]), ["torchlet-js", "torchlet-wasm-2t", "pytorch", "tfjs-cpu", "tfjs-wasm"]);
  assert.equal(back.torchletBest["train-full"].run, "torchlet-wasm-2t");
});

test("formatNumber and markdownTable", () => {
  assert.deepEqual([12345.6, 678.4, 4.567, 0.01234, 0].map(formatNumber), ["12,346", "678", "4.57", "0.0123", "0.00"]);
  assert.equal(markdownTable(["a", "bb"], [["x", "1"]]), "| a | bb |\n|:--|---:|\n| x |  1 |");
});

test("selectWorkloads: ids or prefixes, unknown names rejected", () => {
  assert.equal(selectWorkloads([]).length, WORKLOADS.length);
  assert.deepEqual(selectWorkloads(["gemm"]).map((w) => w.id), ["gemm-6x78400x25", "gemm-16x10000x150", "gemm-100x120x400", "gemm-1024"]);
  assert.deepEqual(selectWorkloads(["logreg", "train-full"]).map((w) => w.id), ["train-full", "logreg"]);
  assert.throws(() => selectWorkloads(["resnet"]), /unknown workload "resnet"/);
});

test("measure: an iteration longer than the whole budget is measured once, without warm-up", () => {
  let calls = 0;
  const sleep = () => {
    calls++;
    const end = performance.now() + 5;
    while (performance.now() < end);
  };
  const o = measure(sleep, { warmupSeconds: 1, rounds: 2, roundSeconds: 0.001 });
  assert.ok("secondsPerIter" in o && o.iters === 1 && o.rounds.length === 1 && o.secondsPerIter >= 0.005);
  assert.equal(calls, 1);
});

test("planFor: the training rows warm up at least TRAINING_WARMUP_SECONDS, the others as the plan says", () => {
  const plan = { warmupSeconds: 0.5, rounds: 3, roundSeconds: 0.8 };
  const byId = (id: string) => WORKLOADS.find((w) => w.id === id)!;
  assert.deepEqual(planFor(byId("train-full"), plan), { ...plan, warmupSeconds: TRAINING_WARMUP_SECONDS });
  assert.deepEqual(planFor(byId("train-sparse"), plan), { ...plan, warmupSeconds: TRAINING_WARMUP_SECONDS });
  assert.deepEqual(planFor(byId("gemm-1024"), plan), plan);
  assert.deepEqual(planFor(byId("train-full"), { ...plan, warmupSeconds: 10 }), { ...plan, warmupSeconds: 10 }, "a longer plan warm-up wins");
});
