// The explorer in a real browser: Debian's chromium driven by playwright-core. Opens the page,
// draws a stroke with the mouse, checks the prediction and the activation images, reads the
// console for errors, saves a screenshot to test-artifacts/, and runs one fixed input through
// the model in the page and in Node on the same kernels (wasm, then js): the outputs must be
// identical.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { packageRoot } from "../../src/server/assets.js";
import { loadModel, predict } from "../../src/web/model.js";
import { getBackend, setBackend } from "../../src/kernels/index.js";
import { openExplorerPage, serveTinyCheckpoint, skipWithoutChromium as skip, type BrowserPage, type Fixture } from "./fixtures.js";

let fx: Fixture;
let browser: BrowserPage;
let context: BrowserContext;
let page: Page;
let problems: string[];

before(async () => {
  if (skip) return;
  fx = await serveTinyCheckpoint();
  browser = await openExplorerPage(fx.explorer.url);
  ({ context, page, problems } = browser);
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await fx?.close();
});

/** A stroke like a 7 across the drawing pad, with real mouse events. */
async function drawSeven(p: Page): Promise<void> {
  const box = (await p.locator("#pad").boundingBox())!;
  const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
  await p.mouse.move(...at(0.3, 0.25));
  await p.mouse.down();
  await p.mouse.move(...at(0.7, 0.25), { steps: 8 });
  await p.mouse.move(...at(0.45, 0.8), { steps: 8 });
  await p.mouse.up();
}

test("drawing a stroke shows a prediction and every layer's activations, with no console errors", { skip }, async () => {
  await drawSeven(page);
  await page.waitForFunction(() => document.querySelector("#predicted")?.textContent !== "");
  assert.match((await page.textContent("#predicted"))!, /^[0-9]$/);
  assert.equal(await page.locator("#bars .bar").count(), 10);
  // LeNet-5: C1 6 maps, P2 6, C3 16, P4 16, then C5, F6 and F7 as one row each.
  assert.equal(await page.locator("#activations .layer").count(), 7);
  assert.equal(await page.locator("#activations canvas.map").count(), 6 + 6 + 16 + 16 + 3);
  const frameInk = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>("#frame canvas")!;
    const d = c.getContext("2d")!.getImageData(0, 0, 28, 28).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) ink += d[i];
    return ink / 255;
  });
  assert.ok(frameInk > 10, `the 28x28 frame holds the stroke (ink ${frameInk})`);

  const dir = join(packageRoot(), "test-artifacts");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".gitignore"), "*\n"); // artifacts never get committed
  const shot = join(dir, "explorer-draw.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.deepEqual([...readFileSync(shot).subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"

  for (const tab of ["filters", "train", "curriculum"]) {
    await page.click(`#tabs button[data-tab=${tab}]`);
    assert.equal(await page.locator(`#tab-${tab}`).isVisible(), true, tab);
  }
  // The Filters tab. C1: 6 kernels of 1 channel; the sparse C3: 6 over 3 maps, 9 over 4, 1 over all 6.
  assert.equal(await page.locator("#filters canvas.map").count(), 6 + 6 * 3 + 9 * 4 + 6);
  assert.ok(await page.locator("#curriculum canvas.map").count() >= 10);
  await page.screenshot({ path: join(dir, "explorer-curriculum.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("the page runs the WebAssembly kernels and says so", { skip }, async () => {
  const backend = await page.evaluate(() => (window as unknown as { explorer: { backend(): string } }).explorer.backend());
  assert.equal(backend, "wasm");
  assert.match((await page.textContent("#status"))!, /kernels: wasm, \d+ threads?/);
});

test("the page is cross-origin isolated and splits a large kernel call over a worker thread, with the same bits as one thread", { skip }, async () => {
  assert.equal(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated), true);
  type Explorer = { explorer: { threads(): Promise<{ used: number; identical: boolean }> } };
  const r = await page.evaluate(() => (window as unknown as Explorer).explorer.threads());
  assert.equal(r.used, 2, "a worker thread started and took a part");
  assert.equal(r.identical, true);
});

test("without the WebAssembly file the page falls back to the js kernels, without errors", { skip }, async () => {
  const other = await context.newPage();
  const errors: string[] = [];
  other.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  other.on("pageerror", (e) => errors.push(e.message));
  await other.route("**/kernels*.wasm", (r) => r.fulfill({ status: 404, body: "" })); // both builds
  try {
    await other.goto(fx.explorer.url);
    await other.evaluate(() => (window as unknown as { explorer: { ready: Promise<void> } }).explorer.ready);
    assert.equal(await other.evaluate(() => (window as unknown as { explorer: { backend(): string } }).explorer.backend()), "js");
    assert.match((await other.textContent("#status"))!, /kernels: js/);
    // The 404 itself is logged by the browser as a failed resource load; nothing else may be.
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
  } finally {
    await other.close();
  }
});

// Each backend rounds float32 its own way (wasm's SIMD sums in another order), so the page and
// Node are compared on the same kernels: wasm (the page's default) and js.
for (const backend of ["wasm", "js"] as const) {
  test(`the same forward pass in the page and in Node gives identical outputs (${backend} kernels)`, { skip }, async () => {
    // A fixed input with structure in every pixel: values in [0, 1].
    const input = Array.from({ length: 28 * 28 }, (_, i) => Math.fround(0.5 + 0.5 * Math.sin(i * 0.37) * Math.cos((i % 28) * 0.21)));
    type Forward = (x: number[], b: string) => { logits: number[]; layers: { name: string; shape: number[]; data: number[] }[] };
    const inPage = await page.evaluate(
      ([x, b]) => (window as unknown as { explorer: { forward: Forward } }).explorer.forward(x, b),
      [input, backend] as const,
    );
    const m = loadModel(new Uint8Array(readFileSync(fx.checkpoint)), fx.checkpoint);
    const before = getBackend();
    setBackend(backend);
    const inNode = (() => {
      try {
        return predict(m, Float32Array.from(input));
      } finally {
        setBackend(before);
      }
    })();
    assert.deepEqual(inPage.logits, [...inNode.logits]);
    assert.deepEqual(inPage.layers.map((l) => l.name), inNode.layers.map((l) => l.name));
    inNode.layers.forEach((l, i) => {
      assert.deepEqual(inPage.layers[i].shape, l.output.shape, l.name);
      assert.deepEqual(inPage.layers[i].data, [...l.output.data], `${l.name}: page and Node differ`);
    });
    assert.deepEqual(problems, []);
  });
}
