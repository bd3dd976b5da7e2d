// The kernel grid of a checkpoint with known weights: the colours at known places, the layout
// per input channel, LeNet-5's sparse C3 as its connection table, and the PNG round trip.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { C3_TABLE } from "../../src/models/lenet5.js";
import { FULL_NEGATIVE, FULL_POSITIVE, NEUTRAL, diverging } from "../../src/viz/colormap.js";
import { filterSections, renderFilters } from "../../src/viz/filters.js";
import { decodePng, encodePng } from "../../src/viz/png.js";
import { getPixel } from "../../src/viz/raster.js";
import { knownStateDict, weightPixel } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-kernels-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a saved checkpoint's kernels: 0 is neutral, the extremes are the full colours", () => {
  const path = join(dir, "known.safetensors");
  torch.save(knownStateDict(), path);
  const sections = filterSections(torch.load(path));
  assert.deepEqual(sections.map((s) => s.title), ["conv1.weight 2x1x5x5", "conv2.weight 3x2x3x3"]);
  const f = renderFilters(sections, "known", 6);
  // conv1 (one input channel): a single row of its 2 output maps.
  assert.deepEqual(weightPixel(f, 0, 0, 0, 2, 2), [...NEUTRAL]);
  assert.deepEqual(weightPixel(f, 0, 0, 0, 4, 4), [...FULL_POSITIVE]);
  assert.deepEqual(weightPixel(f, 0, 0, 0, 0, 0), [...FULL_NEGATIVE]);
  assert.deepEqual(weightPixel(f, 0, 0, 1, 3, 1), [...diverging(0.25, 1)]);
  // conv2: rows are output maps, columns input maps, scaled to its own largest |w| (0.5).
  assert.equal(sections[1].maxAbs, 0.5);
  assert.deepEqual(weightPixel(f, 1, 2, 0, 1, 1), [...FULL_POSITIVE]); // (2 - 0) / 4 = 0.5
  assert.deepEqual(weightPixel(f, 1, 0, 1, 0, 2), [...diverging(-0.25, 0.5)]);
  assert.deepEqual(weightPixel(f, 1, 1, 1, 2, 0), [...NEUTRAL]);
  assert.equal(f.cells.length, 2 + 6);
  // The PNG holds the same picture.
  const back = decodePng(encodePng(f.image));
  assert.deepEqual([back.width, back.height], [f.image.width, f.image.height]);
  assert.deepEqual(back.data, f.image.data);
});

test("a kernel square is scale x scale pixels of one colour (nearest-neighbour upscaling)", () => {
  const f = renderFilters(filterSections(knownStateDict()), "known", 4);
  const cell = f.cells[0];
  const [x, y] = [cell.x + 4 * 4, cell.y + 4 * 4]; // weight (4, 4) = +1
  for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) assert.deepEqual(getPixel(f.image, x + dx, y + dy).slice(0, 3), [...FULL_POSITIVE]);
});

test("LeNet-5's sparse C3 becomes one 16x6 table with kernels exactly where the connection table links maps", () => {
  torch.manualSeed(0);
  const sections = filterSections(torch.models.lenet5({ c3: "sparse" }).stateDict());
  assert.equal(sections.length, 2);
  const c3 = sections[1];
  assert.equal(c3.cells.length, 16);
  const subsets = [...C3_TABLE.ch_in_3, ...C3_TABLE.ch_in_4, [0, 1, 2, 3, 4, 5]];
  c3.cells.forEach((row, o) => assert.deepEqual(row.map((k, i) => (k ? i : -1)).filter((i) => i >= 0), [...subsets[o]], `C3 map ${o}`));
  const full = filterSections(torch.models.lenet5({ c3: "full" }).stateDict());
  assert.deepEqual(full.map((s) => [s.cells.length, s.cells[0].length]), [[1, 6], [16, 6]]);
});

test("a checkpoint without conv layers is refused with a message", () => {
  assert.throws(() => renderFilters(filterSections({ "linear.weight": torch.ones([1, 784]) }), "logreg"), /renderFilters: the checkpoint has no convolution weights/);
});
