/// <reference lib="dom" />
// The Filters tab: every convolution weight (OC, C, KH, KW) of the loaded model, the learned
// filters, grouped by top-level layer (the sparse C3's 16 small convolutions form one group), one
// row per output map and one column per input channel (a single row when there is one input channel), on one
// symmetric scale per group, as `torchlet viz kernels`. Logistic regression's weight (1, 784)
// is shown as its 28x28 template.

import { models } from "../browser.js";
import { maxAbs } from "../viz/colormap.js";
import type { LoadedModel } from "./model.js";
import { el, mapCanvas, scaleLegend } from "./render.js";

interface Conv {
  name: string;
  data: ArrayLike<number>;
  shape: readonly number[];
}

export function renderFilters(host: HTMLElement, m: LoadedModel | undefined): void {
  if (!m) {
    host.replaceChildren(el("p", "hint", "No model loaded."));
    return;
  }
  const groups = new Map<string, Conv[]>();
  const sections: HTMLElement[] = [];
  for (const [name, p] of m.model.namedParameters()) {
    if (p.shape.length === 4) {
      const layer = name.split(".")[0];
      groups.set(layer, [...(groups.get(layer) ?? []), { name, data: p.data, shape: p.shape }]);
    } else if (m.kind === "logreg" && name.endsWith("weight")) sections.push(templateSection(name, p.data));
  }
  for (const [layer, convs] of groups) sections.push(convSection(layer, convs));
  host.replaceChildren(...(sections.length ? sections : [el("p", "hint", "This model has no convolution filters.")]));
}

function convSection(layer: string, convs: Conv[]): HTMLElement {
  const range = Math.max(...convs.map((c) => maxAbs(c.data)));
  const box = el("div", "layer");
  const label = el("div", "layer-name", layer);
  label.append(el("small", "", convs.length === 1 ? `${convs[0].name} [${convs[0].shape.join(", ")}]` : convs.length === 16 ? "sparse C3: 16 convolutions, each reading the P2 maps of its columns" : `${convs.length} convolutions`));
  const right = el("div");
  const oneRow = convs.length === 1 && convs[0].shape[1] === 1;
  if (oneRow) {
    const [OC, , KH, KW] = convs[0].shape;
    const maps = el("div", "maps filters");
    for (let o = 0; o < OC; o++) maps.append(mapCanvas(convs[0].data, o * KH * KW, KH, KW, range, `output ${o}`));
    right.append(maps);
  } else {
    const C = Math.max(...convs.map((c) => c.shape[1]));
    const grid = el("div", "filter-grid");
    // The sparse C3's kernels go in the columns of the P2 maps they read (LeCun's table I).
    const table = convs.length === 16 ? [...models.C3_TABLE.ch_in_3, ...models.C3_TABLE.ch_in_4, [0, 1, 2, 3, 4, 5]] : undefined;
    const columns = table ? 6 : C;
    grid.style.gridTemplateColumns = `52px repeat(${columns}, 37px)`;
    let map = 0;
    for (const [i, { name, data, shape }] of convs.entries()) {
      const [OC, Ci, KH, KW] = shape;
      for (let o = 0; o < OC; o++, map++) {
        const row = el("span", "row-label", `map ${map}`);
        row.title = name;
        grid.append(row);
        const cells: HTMLElement[] = Array.from({ length: columns }, () => el("span"));
        for (let c = 0; c < Ci; c++) cells[table ? table[i][c] : c] = mapCanvas(data, (o * Ci + c) * KH * KW, KH, KW, range, `${name}: output ${o}, input ${table ? table[i][c] : c}`);
        grid.append(...cells);
      }
    }
    right.append(grid);
  }
  right.append(scaleLegend(range));
  box.append(label, right);
  return box;
}

function templateSection(name: string, data: ArrayLike<number>): HTMLElement {
  const box = el("div", "layer");
  const label = el("div", "layer-name", name);
  label.append(el("small", "", "the weights as a 28x28 image: red pixels push towards +1, blue towards -1"));
  const right = el("div", "frame");
  right.append(mapCanvas(data, 0, 28, 28, maxAbs(data)), scaleLegend(maxAbs(data)));
  box.append(label, right);
  return box;
}
