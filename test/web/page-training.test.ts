// Training in the page (src/web/page-training.ts, src/web/train-worker.ts) in Debian's chromium:
// a small LeNet-5 run in a Web Worker with the WebAssembly kernels, from the Train tab's form.
// Checks that the loss falls (the metrics log the page offers, the same records as the command
// line's), that the run is the one Node runs (the same request gives the same weights, bit for
// bit, on the same kernels), that the Draw tab then predicts with the new weights, that the
// one-epoch test points are drawn, that the stop button stops a run and keeps its model, and
// that the server's run is still a choice of the same form.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { getBackend, setBackend } from "../../src/kernels/index.js";
import { parseSafetensors } from "../../src/io/safetensors-codec.js";
import { checkpointBytes } from "../../src/train/checkpoint-model.js";
import { datasetFiles } from "../../src/train/datasets.js";
import { parseMetrics } from "../../src/train/metrics.js";
import { parseTrainRequest } from "../../src/train/request.js";
import { runRequest } from "../../src/train/run-request.js";
import { CATEGORICAL } from "../../src/viz/colormap.js";
import { loadModel, predict } from "../../src/web/model.js";
import { PAGE_SOURCE } from "../../src/web/train-worker.js";
import { openExplorerPage, serveTinyCheckpoint, skipWithoutChromium as skip, type BrowserPage, type Fixture } from "./fixtures.js";

let fx: Fixture;
let browser: BrowserPage;
let page: Page;

before(async () => {
  if (skip) return;
  fx = await serveTinyCheckpoint();
  browser = await openExplorerPage(fx.explorer.url);
  page = browser.page;
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await fx?.close();
});

type Explorer = {
  explorer: {
    loadedId(): string;
    forward(x: number[]): { logits: number[] };
    lastPrediction(): { probabilities: number[] } | undefined;
  };
};

/** Fills the Train tab's form and starts; resolves with the status line once the run has finished. */
async function train(p: Page, where: "page" | "server", fields: Record<string, string>, whileRunning?: () => Promise<void>): Promise<string> {
  await p.click("#tabs button[data-tab=train]");
  await p.check(`input[name=where][value=${where}]`);
  await p.selectOption("select[name=preset]", fields.preset);
  for (const key of ["epochs", "limit", "batchSize"]) await p.fill(`input[name=${key}]`, fields[key] ?? "");
  // The previous run's last status line would satisfy the wait below: clear it.
  await p.evaluate(() => (document.querySelector("#train-status")!.textContent = ""));
  await p.click("#train-start");
  await whileRunning?.();
  await p.waitForFunction(() => /^run \d+ (done|stopped|failed)/.test(document.querySelector("#train-status")?.textContent ?? ""), null, { timeout: 60000 });
  return (await p.textContent("#train-status"))!;
}

/** The file behind one of the Train tab's download links. */
async function download(p: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([p.waitForEvent("download"), p.click(selector)]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

test("a LeNet-5 run trained in the page: the loss falls, the weights are Node's, the Draw tab predicts with them", { skip }, async () => {
  const request = { preset: "lenet5-sparse", epochs: "1", limit: "1000", batchSize: "10" };
  const blank = new Array<number>(28 * 28).fill(0);
  const input = Array.from({ length: 28 * 28 }, (_, i) => Math.fround(0.5 + 0.5 * Math.sin(i * 0.37)));
  const before = await page.evaluate((x) => (window as unknown as Explorer).explorer.forward(x).logits, input);
  const beforeDraw = await page.evaluate(() => (window as unknown as Explorer).explorer.lastPrediction()!.probabilities);

  const status = await train(page, "page", request);
  assert.match(status, /^run 1 done/);
  assert.match((await page.textContent("#train-log"))!, /training in this page: wasm kernels, \d+ threads?/);

  // The metrics log, as `torchlet train` writes it: the loss falls over the epoch.
  const metrics = await download(page, "#download-metrics");
  assert.match(metrics.name, /^page-lenet5-sparse-\d{8}-\d{6}-1\.metrics\.jsonl$/);
  const log = parseMetrics(metrics.bytes.toString("utf8"), metrics.name);
  assert.deepEqual([log.runs.length, log.runs[0].info.model, log.runs[0].info.c3, log.runs[0].info.source], [1, "lenet5", "sparse", PAGE_SOURCE]);
  assert.equal(log.steps.length, 10, "a step record every 10 of the 100 steps");
  const [first, last] = [log.steps[0].loss, log.steps.at(-1)!.loss];
  assert.ok(last < first - 0.3, `the loss falls: ${first} -> ${last}`);
  assert.equal(log.epochs.length, 1);
  assert.ok(log.epochs[0].testLoss < first && log.epochs[0].testAccuracy > 0.3, JSON.stringify(log.epochs[0]));

  // The checkpoint: the same weights as the same request run in Node on the same kernels.
  const checkpoint = await download(page, "#download-checkpoint");
  assert.equal(checkpoint.name, metrics.name.replace(".metrics.jsonl", ".safetensors"));
  const inPage = parseSafetensors(new Uint8Array(checkpoint.bytes), checkpoint.name);
  assert.equal(inPage.metadata?.epoch, "1");
  let nodeBytes: Uint8Array | undefined;
  const was = getBackend();
  setBackend("wasm");
  try {
    runRequest(parseTrainRequest({ model: "lenet5", c3: "sparse", epochs: 1, limit: 1000, batchSize: 10 }), {
      open: datasetFiles("mnist"), shouldStop: () => false, post: () => {}, source: PAGE_SOURCE,
      sink: { where: "memory", metricsLine: () => {}, saveCheckpoint: (model, info) => (nodeBytes = checkpointBytes(model, info)) },
    });
  } finally {
    setBackend(was);
  }
  const inNode = parseSafetensors(nodeBytes!, "node");
  assert.deepEqual(Object.keys(inPage.tensors), Object.keys(inNode.tensors));
  for (const [k, t] of Object.entries(inNode.tensors)) assert.deepEqual([...inPage.tensors[k].data], [...t.data], `${k}: page and Node trained differently`);

  // The Draw tab now runs the trained model: the page's model is selected, its outputs are the
  // downloaded checkpoint's (same kernels), and the Draw tab's own prediction changed.
  assert.equal(await page.evaluate(() => (window as unknown as Explorer).explorer.loadedId()), `page:${checkpoint.name}`);
  const after = await page.evaluate((x) => (window as unknown as Explorer).explorer.forward(x).logits, input);
  assert.notDeepEqual(after, before);
  const trained = loadModel(new Uint8Array(checkpoint.bytes), checkpoint.name);
  setBackend("wasm");
  try {
    assert.deepEqual(after, [...predict(trained, Float32Array.from(input)).logits]);
    const drawTab = await page.evaluate(() => (window as unknown as Explorer).explorer.lastPrediction()!.probabilities);
    assert.notDeepEqual(drawTab, beforeDraw);
    assert.deepEqual(drawTab, predict(trained, Float32Array.from(blank)).probabilities);
  } finally {
    setBackend(was);
  }
  await page.click("#tabs button[data-tab=draw]");
  assert.match((await page.textContent("#status"))!, /^LeNet-5, C3 sparse/);

  // One epoch: one test point per curve, drawn as a dot in the test series' colour.
  await page.click("#tabs button[data-tab=train]");
  for (const chart of ["#loss-chart", "#acc-chart"]) {
    const dots = await page.evaluate(([sel, rgb]) => {
      const c = document.querySelector<HTMLCanvasElement>(sel)!;
      const d = c.getContext("2d")!.getImageData(0, 30, c.width, c.height - 30).data; // below the legend
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2] && d[i + 3] === 255) n++;
      return n;
    }, [chart, [...CATEGORICAL[1]]] as const);
    assert.ok(dots >= 9, `${chart}: the test point's dot (${dots} pixels)`);
  }
  assert.deepEqual(browser.problems, []);
});

test("Stop ends a page run after the current step and hands over the model as it was", { skip }, async () => {
  const status = await train(page, "page", { preset: "lenet5-full", epochs: "2", limit: "20000", batchSize: "10" }, async () => {
    await page.waitForFunction(() => /^epoch 1, step/.test(document.querySelector("#train-status")?.textContent ?? ""), null, { timeout: 30000 });
    await page.click("#train-stop");
  });
  assert.match(status, /^run 2 stopped/);
  assert.match((await page.textContent("#train-log"))!, /epoch 1 \(stopped\): the model is in the Draw tab/);
  const id = await page.evaluate(() => (window as unknown as Explorer).explorer.loadedId());
  assert.match(id, /^page:page-lenet5-full-\d{8}-\d{6}-2\.safetensors$/);
  assert.match((await page.textContent("#status"))!, /^LeNet-5, C3 full/);
  assert.equal(await page.isDisabled("#train-start"), false);
  assert.deepEqual(browser.problems, []);
});

test("the same form still trains on the server, whose checkpoint then becomes the Draw tab's model", { skip }, async () => {
  const status = await train(page, "server", { preset: "logreg-logistic", epochs: "1", limit: "400", batchSize: "10" });
  assert.match(status, /^run 1 done/); // the server's first run
  assert.match((await page.textContent("#train-log"))!, /saved web-logreg-logistic-\d{8}-\d{6}-1\.safetensors/);
  await page.waitForFunction(() => (window as unknown as Explorer).explorer.loadedId().startsWith("web-logreg-logistic-"));
  assert.match((await page.textContent("#status"))!, /^logistic regression, 4 \(-1\) vs 9 \(\+1\)/);
  // The page's own models stay in the picker.
  assert.equal(await page.locator("#checkpoint option[value^='page:']").count(), 2);
  assert.deepEqual(browser.problems, []);
});
