// The picture commands end to end: the metrics log a training run writes, `torchlet plot` over
// two runs, and `torchlet viz kernels | activations | mistakes` on small checkpoints.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { parseMetrics, type EpochRecord, type RunRecord, type StepRecord } from "../../src/train/metrics.js";
import { FULL_NEGATIVE, FULL_POSITIVE, NEUTRAL } from "../../src/viz/colormap.js";
import { filterSections, renderFilters } from "../../src/viz/filters.js";
import { decodePng } from "../../src/viz/png.js";
import { knownStateDict, weightPixel } from "../viz/helpers.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "torchlet-viz-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const png = (path: string) => decodePng(readFileSync(path));

// Two quick logistic-regression runs (about 120 training images each) for the log and plot tests.
before(() => {
  for (const loss of ["logistic", "sum-of-squares"]) {
    const r = run("train", "logreg", "--loss", loss, "--limit", "600", "--save", join(dir, `logreg-${loss}.safetensors`));
    assert.equal(r.code, 0, r.err);
  }
});

test("train writes a metrics log next to the checkpoint: a run line, a step line every 10 steps, an epoch line", () => {
  const path = join(dir, "logreg-logistic.metrics.jsonl");
  const text = readFileSync(path, "utf8");
  const records = text.trim().split("\n").map((l) => JSON.parse(l));
  const [runLine, ...rest] = records as [RunRecord, ...(StepRecord | EpochRecord)[]];
  assert.equal(runLine.type, "run");
  assert.deepEqual([runLine.info.model, runLine.info.loss, runLine.startEpoch, runLine.every], ["logreg", "logistic", 0, 10]);
  const steps = rest.filter((r): r is StepRecord => r.type === "step");
  const epochs = rest.filter((r): r is EpochRecord => r.type === "epoch");
  const n = runLine.stepsPerEpoch; // batch 1: one step per training image
  assert.ok(n > 50 && n < 200, `steps per epoch ${n}`);
  assert.deepEqual(steps.map((s) => s.step), [...Array.from({ length: Math.floor(n / 10) }, (_, i) => 10 * (i + 1)), ...(n % 10 ? [n] : [])]);
  for (const s of steps) {
    assert.equal(s.epoch, 1);
    assert.ok(s.loss > 0 && s.accuracy! >= 0 && s.accuracy! <= 1 && s.imagesPerSecond > 0 && s.time >= 0, JSON.stringify(s));
  }
  assert.equal(epochs.length, 1);
  assert.equal(rest[rest.length - 1], epochs[0], "the epoch line comes last");
  // The epoch line holds the figures the run printed.
  const r = run("eval", join(dir, "logreg-logistic.safetensors"));
  const printed = r.out.match(/Accuracy: (\d+)\/(\d+)/)!;
  assert.equal(epochs[0].testAccuracy, Number(printed[1]) / Number(printed[2]));
  assert.ok(epochs[0].trainAccuracy! > 0.5 && epochs[0].trainLoss > 0 && epochs[0].testLoss > 0);
  // The epoch's memory: a Node process with the dataset loaded is well above 20 MB resident.
  const e = epochs[0];
  assert.ok(e.peakRssMB! > 20 && e.heapMB! > 0 && e.externalMB! > 0 && e.arrayBuffersMB! <= e.externalMB!, JSON.stringify(e));
  assert.deepEqual(parseMetrics(text).epochs, epochs);
});

test("plot overlays two runs in an SVG and a PNG, and prints their paths", () => {
  const r = run("plot", join(dir, "logreg-logistic.safetensors"), join(dir, "logreg-sum-of-squares.metrics.jsonl"), "--out", join(dir, "plots"));
  assert.equal(r.code, 0, r.err);
  const svgPath = join(dir, "plots", "logreg-logistic_vs_logreg-sum-of-squares.curves.svg");
  const pngPath = svgPath.replace(/svg$/, "png");
  assert.deepEqual(r.out.trim().split("\n"), [svgPath, pngPath]);
  const svg = readFileSync(svgPath, "utf8");
  const stepsLogged = readFileSync(join(dir, "logreg-logistic.metrics.jsonl"), "utf8").split("\n").filter((l) => l.includes('"type":"step"')).length;
  const points = (series: string) => svg.match(new RegExp(`data-series="${series}" points="([^"]*)"`))?.[1].split(" ").length;
  assert.equal(points("logreg-logistic train loss \\(every 10 steps\\)"), stepsLogged);
  assert.equal(points("logreg-sum-of-squares test accuracy"), 1);
  assert.match(svg, />logreg-logistic \(test \d+\.\d\d%\)</);
  assert.match(svg, />logreg-sum-of-squares \(test \d+\.\d\d%\)</);
  const img = png(pngPath);
  const size = svg.match(/<svg [^>]*width="(\d+)" height="(\d+)"/)!;
  assert.deepEqual([img.width, img.height], [2 * Number(size[1]), 2 * Number(size[2])]);
});

test("viz kernels draws a known checkpoint's weights in the expected colours", () => {
  const ckpt = join(dir, "known.safetensors");
  torch.save(knownStateDict(), ckpt);
  const r = run("viz", "kernels", ckpt);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), join(dir, "known.kernels.png"));
  const img = png(join(dir, "known.kernels.png"));
  // The same layout as in-process; the file holds exactly that picture.
  const f = renderFilters(filterSections(knownStateDict()), "Convolution kernels of known.safetensors", 6);
  assert.deepEqual([img.width, img.height], [f.image.width, f.image.height]);
  assert.deepEqual(img.data, f.image.data);
  const fromFile = { ...f, image: img };
  assert.deepEqual(weightPixel(fromFile, 0, 0, 0, 2, 2), [...NEUTRAL], "weight 0");
  assert.deepEqual(weightPixel(fromFile, 0, 0, 0, 4, 4), [...FULL_POSITIVE], "weight +1, the largest");
  assert.deepEqual(weightPixel(fromFile, 0, 0, 0, 0, 0), [...FULL_NEGATIVE], "weight -1");
  assert.deepEqual(weightPixel(fromFile, 1, 2, 0, 1, 1), [...FULL_POSITIVE], "conv2 output 2, input 0: (2 - 0) / 4, its largest");
});

test("viz activations (test image and noise) and viz mistakes write decodable PNGs next to the checkpoint", () => {
  torch.manualSeed(0);
  const ckpt = join(dir, "lenet5-full.safetensors");
  torch.save(torch.models.lenet5({ c3: "full" }), ckpt, { model: "lenet5", c3: "full" });
  const noise = run("viz", "activations", ckpt, "--noise", "--seed", "3");
  assert.equal(noise.code, 0, noise.err);
  assert.equal(noise.out.trim(), join(dir, "lenet5-full.activations-noise3.png"));
  const image = run("viz", "activations", ckpt, "--index", "5", "--out", join(dir, "pics"));
  assert.equal(image.code, 0, image.err);
  assert.equal(image.out.trim(), join(dir, "pics", "lenet5-full.activations-test5.png"));
  const a = png(join(dir, "pics", "lenet5-full.activations-test5.png"));
  assert.ok(a.width > 16 * 60 && a.height > 400, `${a.width}x${a.height}`);
  const m = run("viz", "mistakes", ckpt, "--limit", "200", "--max", "20");
  assert.equal(m.code, 0, m.err);
  assert.deepEqual(m.out.trim().split("\n"), [join(dir, "lenet5-full.mistakes.png"), join(dir, "lenet5-full.confusion.png")]);
  // 20 mistakes at most, 10 to a row of 56 px images: two rows.
  assert.ok(png(join(dir, "lenet5-full.mistakes.png")).height > 2 * 56);
  assert.ok(png(join(dir, "lenet5-full.confusion.png")).width >= 10 * 34);
  const lr = run("viz", "mistakes", join(dir, "logreg-logistic.safetensors"), "--limit", "300");
  assert.equal(lr.code, 0, lr.err);
});

test("wrong arguments exit 2 with the usage; a failure exits 1 with one message", () => {
  const usage: [string[], RegExp][] = [
    [["viz"], /viz: which picture\? \(kernels, activations or mistakes\)/],
    [["viz", "colours", "x.safetensors"], /unknown picture "colours"/],
    [["viz", "kernels"], /viz kernels: which checkpoint\?/],
    [["viz", "activations", "x.safetensors"], /give either --index N \(a test image\) or --noise/],
    [["viz", "kernels", "x.safetensors", "--scale", "0"], /--scale must be a positive integer, got "0"/],
    [["plot"], /plot: which runs\?/],
  ];
  for (const [args, message] of usage) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.match(r.err, /Usage/);
  }
  const missing = run("plot", join(dir, "nothing.safetensors"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no metrics log at .*nothing\.metrics\.jsonl/);
  const noConv = run("viz", "kernels", join(dir, "logreg-logistic.safetensors"));
  assert.equal(noConv.code, 1);
  assert.match(noConv.err, /no convolution weights/);
  const help = run("--help");
  assert.match(help.out, /plot <run\.\.\.>/);
  assert.match(help.out, /viz kernels\|activations\|mistakes/);
});
