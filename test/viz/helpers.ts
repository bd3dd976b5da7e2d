// Shared by the kernel-picture tests (unit and CLI): a state dict with known weights and a way to
// read the colour of one weight in the rendered grid.

import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { FilterFigure } from "../../src/viz/filters.js";
import { getPixel } from "../../src/viz/raster.js";

/**
 * conv1 (2,1,5,5): kernel 0 holds (k - 12) / 12 for k = 0..24 (-1 top left, 0 centre, +1 bottom
 * right), kernel 1 is 0.25 everywhere. conv2 (3,2,3,3): weight (o, i, r, c) = (o - i) / 4, largest
 * |w| 0.5. fc.weight is 2-D and is no conv layer.
 */
export function knownStateDict() {
  return {
    "conv1.weight": torch.tensor([...Array.from({ length: 25 }, (_, k) => (k - 12) / 12), ...Array(25).fill(0.25)], { shape: [2, 1, 5, 5] }),
    "conv1.bias": torch.zeros([2]),
    "conv2.weight": torch.tensor(Array.from({ length: 54 }, (_, n) => (Math.floor(n / 18) - (Math.floor(n / 9) % 2)) / 4), { shape: [3, 2, 3, 3] }),
    "fc.weight": torch.ones([4, 3]),
  };
}

/** The colour of weight (i, j) of the kernel at (section, row, col), read at the middle of its square. */
export function weightPixel(f: FilterFigure, section: number, row: number, col: number, i: number, j: number) {
  const cell = f.cells.find((c) => c.section === section && c.row === row && c.col === col);
  assert.ok(cell, `no kernel at section ${section} row ${row} col ${col}`);
  return getPixel(f.image, cell.x + j * f.scale + (f.scale >> 1), cell.y + i * f.scale + (f.scale >> 1)).slice(0, 3);
}

