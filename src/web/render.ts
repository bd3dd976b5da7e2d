/// <reference lib="dom" />
// Drawing tensors into the page: feature maps and kernels as small pixelated canvases (colours
// from src/viz/colormap.ts, the CLI pictures' maps), the probability bars, a line chart.

import { cssColor, diverging, maxAbs } from "../viz/colormap.js";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * One (h, w) map starting at data[offset] as a canvas of h x w pixels (CSS scales it up,
 * pixelated), coloured on a scale symmetric about zero with half-range `range`.
 */
export function mapCanvas(data: ArrayLike<number>, offset: number, h: number, w: number, range: number, title?: string): HTMLCanvasElement {
  const c = el("canvas", "map");
  c.width = w;
  c.height = h;
  if (title) c.title = title;
  const ctx = c.getContext("2d")!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const [r, g, b] = diverging(data[offset + i], range);
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

/** Grayscale image in [0, 1] (MNIST's look: white ink on black). */
export function grayCanvas(data: ArrayLike<number>, h: number, w: number): HTMLCanvasElement {
  const c = el("canvas", "map");
  c.width = w;
  c.height = h;
  const ctx = c.getContext("2d")!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, data[i])));
    img.data.set([g, g, g, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

/**
 * Every channel of a (1, C, H, W) output as one canvas each, or a (1, F) output as one row;
 * one colour scale per layer so channels compare.
 */
export function layerMaps(data: ArrayLike<number>, shape: readonly number[]): HTMLCanvasElement[] {
  const range = maxAbs(data);
  if (shape.length === 4) {
    const [, C, H, W] = shape;
    return Array.from({ length: C }, (_, c) => mapCanvas(data, c * H * W, H, W, range, `channel ${c}`));
  }
  const F = shape[shape.length - 1];
  return [mapCanvas(data, 0, 1, F, range, `${F} features`)];
}

/** A legend strip for the diverging scale: -range ... 0 ... +range. */
export function scaleLegend(range: number): HTMLElement {
  const box = el("div", "legend");
  const bar = el("span", "legend-bar");
  bar.style.background = `linear-gradient(to right, ${[-1, -0.5, 0, 0.5, 1].map((t) => cssColor(diverging(t, 1))).join(", ")})`;
  box.append(el("span", "", (-range).toPrecision(2)), bar, el("span", "", `+${range.toPrecision(2)}`));
  return box;
}

/** Probability bars, the most likely class highlighted. */
export function probabilityBars(host: HTMLElement, classes: string[], p: number[]): void {
  const best = p.indexOf(Math.max(...p));
  host.replaceChildren(
    ...classes.map((name, i) => {
      const row = el("div", i === best ? "bar best" : "bar");
      const fill = el("span", "bar-fill");
      fill.style.height = `${(100 * p[i]).toFixed(1)}%`;
      const track = el("span", "bar-track");
      track.append(fill);
      row.append(el("span", "bar-value", `${Math.round(100 * p[i])}%`), track, el("span", "bar-label", name));
      row.title = `${name}: ${(100 * p[i]).toFixed(2)}%`;
      return row;
    }),
  );
}

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** A dot on every point (sparse series: one per epoch). A lone point always gets one. */
  markers?: boolean;
}

/** The radius of a point's dot, in canvas pixels. */
const MARKER_RADIUS = 3.5;

/** A simple line chart with axes and a legend, redrawn from scratch on every call. */
export function lineChart(canvas: HTMLCanvasElement, series: Series[], xLabel: string, yLabel: string, yRange?: [number, number]): void {
  const ctx = canvas.getContext("2d")!;
  const W = canvas.width, H = canvas.height;
  const pad = { l: 48, r: 12, t: 26, b: 32 };
  ctx.clearRect(0, 0, W, H);
  const pts = series.flatMap((s) => s.points);
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const x0 = Math.min(0, ...xs), x1 = Math.max(1, ...xs);
  const [y0, y1] = yRange ?? (ys.length ? [Math.min(0, ...ys), Math.max(...ys) * 1.05 || 1] : [0, 1]);
  const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const py = (y: number) => H - pad.b - ((y - y0) / (y1 - y0 || 1)) * (H - pad.t - pad.b);
  ctx.strokeStyle = "#999";
  ctx.fillStyle = "#444";
  ctx.font = "11px system-ui, sans-serif";
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, H - pad.b);
  ctx.lineTo(W - pad.r, H - pad.b);
  ctx.stroke();
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    ctx.fillText(y.toPrecision(2), 4, py(y) + 4);
  }
  ctx.fillText(xLabel, W / 2 - 20, H - 8);
  ctx.fillText(`${x1.toFixed(x1 < 10 ? 1 : 0)}`, W - pad.r - 24, H - pad.b + 14);
  ctx.fillText(yLabel, pad.l, 13);
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
    ctx.stroke();
    // A path of one point strokes nothing: without its dot, a one-epoch run's test point is invisible.
    ctx.fillStyle = s.color;
    if (s.markers || s.points.length === 1) {
      for (const [x, y] of s.points) {
        ctx.beginPath();
        ctx.arc(px(x), py(y), MARKER_RADIUS, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    // The legend sits in the band above the plot, so it never covers a curve.
    ctx.fillRect(pad.l + 70 + 150 * k, 8, 12, 3);
    ctx.fillText(s.name, pad.l + 86 + 150 * k, 13);
  });
}
