// The picture of a checkpoint's learned filters (`torchlet viz kernels`): one section per conv
// layer (every 4-D weight in the state dict), a kernel per (output map, input map) pair, each
// weight a scale x scale square on a diverging colour map centred on zero (blue negative, red positive),
// scaled per layer to its largest |weight|. LeNet-5's sparse C3 (16 small convolutions) is shown
// as one 16x6 table with blank cells where the original connection table has no link.
// Pure (no node: imports): the web explorer's Filters tab reuses it.

import { C3_TABLE } from "../models/lenet5.js";
import type { Tensor } from "../tensor.js";
import { diverging, maxAbs } from "./colormap.js";
import { drawText, textHeight, textWidth } from "./font.js";
import { createImage, paintMap, strokeRect, type Image } from "./raster.js";

export interface FilterSection {
  title: string;
  /** What rows and columns are ("output map", "input map"). */
  rowCaption: string;
  colCaption: string;
  rowLabels: string[];
  colLabels: string[];
  /** cells[row][col]: KH*KW weights row-major, or null where there is no kernel. */
  cells: (Float32Array | Float64Array | null)[][];
  kh: number;
  kw: number;
  /** Half-range of this section's colour scale: its largest |weight|. */
  maxAbs: number;
}

const WRAP = 16;
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(from + i));

function sectionMaxAbs(cells: FilterSection["cells"]): number {
  return Math.max(0, ...cells.flat().map((c) => (c ? maxAbs(c) : 0)));
}

/** One section for a (OC, IC, KH, KW) weight: rows are output maps, or a row of outputs when IC is 1. */
export function convSection(title: string, w: Tensor): FilterSection {
  const [OC, IC, KH, KW] = w.shape;
  const k = KH * KW;
  const kernel = (o: number, i: number) => w.data.slice((o * IC + i) * k, (o * IC + i + 1) * k);
  let s: Omit<FilterSection, "maxAbs">;
  if (IC === 1) {
    const rows = Math.ceil(OC / WRAP);
    const cols = Math.min(OC, WRAP);
    s = {
      title, rowCaption: rows > 1 ? "first output" : "", colCaption: "output map",
      rowLabels: range(rows).map((_, r) => (rows > 1 ? String(r * WRAP) : "")),
      colLabels: range(cols).map((c) => (rows > 1 ? `+${c}` : c)),
      cells: range(rows).map((_, r) => range(cols).map((_, c) => (r * WRAP + c < OC ? kernel(r * WRAP + c, 0) : null))),
      kh: KH, kw: KW,
    };
  } else {
    s = {
      title, rowCaption: "output map", colCaption: "input map", rowLabels: range(OC), colLabels: range(IC),
      cells: range(OC).map((_, o) => range(IC).map((_, i) => kernel(o, i))), kh: KH, kw: KW,
    };
  }
  return { ...s, maxAbs: sectionMaxAbs(s.cells) };
}

/** LeNet-5's sparse C3 under `prefix` as one 16x6 table (rows: C3 maps, columns: P2 maps). */
function sparseC3Section(prefix: string, sd: Record<string, Tensor>): FilterSection {
  const subsets = [...C3_TABLE.ch_in_3.map((s, i) => [`ch_3_layers.${i}`, s] as const), ...C3_TABLE.ch_in_4.map((s, i) => [`ch_4_layers.${i}`, s] as const), ["ch_6_layer", [0, 1, 2, 3, 4, 5]] as const];
  const cells = subsets.map(([name, subset]) => {
    const w = sd[`${prefix}.${name}.weight`];
    const [, , KH, KW] = w.shape;
    const row: (Float32Array | Float64Array | null)[] = Array(6).fill(null);
    subset.forEach((ch, j) => (row[ch] = w.data.slice(j * KH * KW, (j + 1) * KH * KW)));
    return row;
  });
  const [, , kh, kw] = sd[`${prefix}.ch_6_layer.weight`].shape;
  return {
    title: `${prefix} (sparse C3: 16 maps over 3, 4 or 6 of the 6 input maps) 16x6x${kh}x${kw}`,
    rowCaption: "output map", colCaption: "input map", rowLabels: range(16), colLabels: range(6), cells, kh, kw, maxAbs: sectionMaxAbs(cells),
  };
}

/** Sections for every conv weight of a state dict, in key order. */
export function filterSections(sd: Record<string, Tensor>): FilterSection[] {
  const sections: FilterSection[] = [];
  const sparseDone = new Set<string>();
  for (const [key, t] of Object.entries(sd)) {
    if (t.ndim !== 4) continue;
    const sparse = key.match(/^(.*)\.(ch_3_layers\.\d+|ch_4_layers\.\d+|ch_6_layer)\.weight$/);
    if (sparse && `${sparse[1]}.ch_6_layer.weight` in sd && `${sparse[1]}.ch_4_layers.8.weight` in sd) {
      if (!sparseDone.has(sparse[1])) sections.push(sparseC3Section(sparse[1], sd));
      sparseDone.add(sparse[1]);
      continue;
    }
    sections.push(convSection(`${key} ${t.shape.join("x")}`, t));
  }
  return sections;
}

export interface FilterCell {
  section: number;
  row: number;
  col: number;
  /** Top left pixel of the kernel; weight (i, j) covers (x + j*scale .. , y + i*scale ..). */
  x: number;
  y: number;
}

export interface FilterFigure {
  image: Image;
  cells: FilterCell[];
  scale: number;
}

const GAP = 4;
const MARGIN = 12;
const LINE = textHeight(1) + 6;

/** Draws the sections under a title; `scale` is the pixels per weight (6 makes a 5x5 kernel 30 px). */
export function renderFilters(sections: readonly FilterSection[], title: string, scale = 6): FilterFigure {
  if (sections.length === 0) throw new Error("renderFilters: the checkpoint has no convolution weights (no 4-D tensors)");
  const legendLine = "colour: blue < 0, white = 0, red > 0; each layer scaled to its largest |weight|";
  const sizes = sections.map((s) => {
    const labelW = Math.max(textWidth(s.rowCaption), ...s.rowLabels.map((l) => textWidth(l))) + 8;
    const cw = s.kw * scale + GAP, ch = s.kh * scale + GAP;
    const gridW = s.colLabels.length * cw;
    return { labelW, cw, ch, width: Math.max(labelW + gridW, textWidth(s.title), textWidth(scaleText(s))), height: 4 * LINE + s.rowLabels.length * ch + LINE };
  });
  const width = 2 * MARGIN + Math.max(textWidth(title, 2), textWidth(legendLine), ...sizes.map((s) => s.width));
  const height = 2 * MARGIN + textHeight(2) + 2 * LINE + sizes.reduce((a, s) => a + s.height, 0);
  const image = createImage(width, height);
  drawText(image, title, MARGIN, MARGIN, { scale: 2 });
  drawText(image, legendLine, MARGIN, MARGIN + textHeight(2) + 8, { color: [60, 60, 60] });
  const cells: FilterCell[] = [];
  let y = MARGIN + textHeight(2) + 2 * LINE;
  sections.forEach((s, si) => {
    const { labelW, cw, ch } = sizes[si];
    drawText(image, s.title, MARGIN, y);
    drawText(image, scaleText(s), MARGIN, y + LINE, { color: [90, 90, 90] });
    // Lines: title, colour scale, column caption, row caption and column labels, then the grid.
    const gx = MARGIN + labelW, gy = y + 4 * LINE;
    drawText(image, s.colCaption, gx, y + 2 * LINE, { color: [90, 90, 90] });
    drawText(image, s.rowCaption, MARGIN, y + 3 * LINE, { color: [90, 90, 90] });
    s.colLabels.forEach((l, c) => drawText(image, l, gx + c * cw + (s.kw * scale) / 2, gy - LINE + 2, { align: "center" }));
    s.cells.forEach((row, r) => {
      drawText(image, s.rowLabels[r], gx - 8, gy + r * ch + (s.kh * scale - textHeight(1)) / 2, { align: "right" });
      row.forEach((k, c) => {
        if (!k) return;
        const x = gx + c * cw, ky = gy + r * ch;
        paintMap(image, x, ky, k, s.kh, s.kw, scale, (v) => diverging(v, s.maxAbs));
        strokeRect(image, x, ky, s.kw * scale, s.kh * scale, [200, 200, 200]);
        cells.push({ section: si, row: r, col: c, x, y: ky });
      });
    });
    y += sizes[si].height;
  });
  return { image, cells, scale };
}

function scaleText(s: FilterSection): string {
  return `colour scale -${s.maxAbs.toPrecision(3)} .. +${s.maxAbs.toPrecision(3)}`;
}
