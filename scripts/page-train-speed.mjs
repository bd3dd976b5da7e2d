// Training speed in the page next to Node's, for the same run: `torchlet serve`'s page in
// Debian's chromium (playwright-core) trains in its Web Worker from the Train tab's form, then
// this process runs the same request (train/run-request.ts) on Node's WebAssembly kernels;
// each prints the epoch's training images/s (the test pass not included). Alternates page and
// Node `--rounds` times (default 2). Needs `npm run build` and /usr/bin/chromium.
//   node scripts/page-train-speed.mjs [--preset lenet5-sparse] [--limit 5000] [--batch-size 100] [--rounds 2]

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { getBackend, getNumThreads } from "../dist/kernels/index.js";
import { startExplorer } from "../dist/server/server.js";
import { datasetFiles } from "../dist/train/datasets.js";
import { parseMetrics } from "../dist/train/metrics.js";
import { parseTrainRequest } from "../dist/train/request.js";
import { runRequest } from "../dist/train/run-request.js";

const { values } = parseArgs({ options: { preset: { type: "string", default: "lenet5-sparse" }, limit: { type: "string", default: "5000" }, "batch-size": { type: "string", default: "100" }, rounds: { type: "string", default: "2" } } });
const [model, variant] = values.preset.split(/-(.*)/);
const request = parseTrainRequest({ model, ...(model === "lenet5" ? { c3: variant } : { loss: variant }), epochs: 1, limit: Number(values.limit), batchSize: Number(values["batch-size"]) });

const dir = mkdtempSync(join(tmpdir(), "torchlet-speed-"));
const explorer = await startExplorer({ port: 0, runsDir: dir });
const context = await chromium.launchPersistentContext(join(dir, "profile"), {
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(explorer.url);
await page.evaluate(() => window.explorer.ready);

async function inPage() {
  await page.click("#tabs button[data-tab=train]");
  await page.check("input[name=where][value=page]");
  await page.selectOption("select[name=preset]", values.preset);
  await page.fill("input[name=epochs]", "1");
  await page.fill("input[name=limit]", values.limit);
  await page.fill("input[name=batchSize]", values["batch-size"]);
  await page.evaluate(() => (document.querySelector("#train-status").textContent = ""));
  await page.click("#train-start");
  await page.waitForFunction(() => /^run \d+ (done|stopped|failed)/.test(document.querySelector("#train-status").textContent), null, { timeout: 600000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-metrics")]);
  const log = parseMetrics(readFileSync(await download.path(), "utf8"));
  const kernels = /training in this page: (.*)/.exec(await page.textContent("#train-log"))?.[1];
  return { images: log.epochs[0].imagesPerSecond, kernels: kernels?.replace(/(\d+ threads?).*/, "$1") };
}

function inNode() {
  let images = NaN;
  runRequest(request, {
    open: datasetFiles("mnist"), shouldStop: () => false, source: "speed",
    sink: { where: "memory", metricsLine: () => {}, saveCheckpoint: () => {} },
    post: (m) => { if (m.type === "epoch") images = m.imagesPerSecond; },
  });
  return { images, kernels: `${getBackend()} kernels, ${getNumThreads()} threads` };
}

console.log(`${values.preset}, 1 epoch, ${values.limit} training images, batch ${values["batch-size"]}; Chromium ${context.browser()?.version() ?? ""}, Node ${process.version}`);
try {
  for (let r = 1; r <= Number(values.rounds); r++) {
    const p = await inPage();
    console.log(`round ${r}  page (chromium): ${p.images.toFixed(0)} images/s (${p.kernels})`);
    const n = inNode();
    console.log(`round ${r}  node:            ${n.images.toFixed(0)} images/s (${n.kernels})`);
  }
} finally {
  await context.close();
  await explorer.close();
  rmSync(dir, { recursive: true, force: true });
}
