// 2-D pooling reference kernels over a batch of planes.
//   x is (NC, H, W) (batch and channels folded), y is (NC, OH, OW).
// Average pooling divides by the full window (padded zeros included) when countIncludePad,
// PyTorch's default; max pooling records the argmax (an index into the plane) for backward.

import type { Storage } from "../../core/dtype.js";
import { activate, type Activation } from "./elementwise.js";
import type { Window2d } from "./im2col.js";

/** A pooling window over NC planes (batch and channels folded). */
export interface PoolGeometry extends Window2d {
  NC: number;
}

/** The window of output (oh, ow), clipped to the input, and its divisor. */
function windowOf(g: PoolGeometry, oh: number, ow: number, countIncludePad: boolean) {
  const h0 = oh * g.SH - g.PH;
  const w0 = ow * g.SW - g.PW;
  // PyTorch clips the padded window at H + PH (ceil mode may run past it).
  const h1 = Math.min(h0 + g.KH, g.H + g.PH);
  const w1 = Math.min(w0 + g.KW, g.W + g.PW);
  const hs = Math.max(h0, 0);
  const ws = Math.max(w0, 0);
  const he = Math.min(h1, g.H);
  const we = Math.min(w1, g.W);
  const divisor = countIncludePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws);
  return { hs, ws, he, we, divisor };
}

export function avgPool2dForward(g: PoolGeometry, x: Storage, y: Storage, countIncludePad: boolean, act?: Activation): void {
  const plane = g.H * g.W;
  for (let oh = 0; oh < g.OH; oh++)
    for (let ow = 0; ow < g.OW; ow++) {
      const { hs, ws, he, we, divisor } = windowOf(g, oh, ow, countIncludePad);
      for (let p = 0; p < g.NC; p++) {
        let s = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) s += x[p * plane + h * g.W + w];
        y[(p * g.OH + oh) * g.OW + ow] = s / divisor;
      }
    }
  if (act) activate(y, act);
}

/** dx = the adjoint of the average applied to dy (overwritten). */
export function avgPool2dBackward(g: PoolGeometry, dy: Storage, dx: Storage, countIncludePad: boolean): void {
  const plane = g.H * g.W;
  dx.fill(0);
  for (let oh = 0; oh < g.OH; oh++)
    for (let ow = 0; ow < g.OW; ow++) {
      const { hs, ws, he, we, divisor } = windowOf(g, oh, ow, countIncludePad);
      for (let p = 0; p < g.NC; p++) {
        const v = dy[(p * g.OH + oh) * g.OW + ow] / divisor;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) dx[p * plane + h * g.W + w] += v;
      }
    }
}

export function maxPool2dForward(g: PoolGeometry, x: Storage, y: Storage, argmax: Int32Array, act?: Activation): void {
  const plane = g.H * g.W;
  for (let oh = 0; oh < g.OH; oh++)
    for (let ow = 0; ow < g.OW; ow++) {
      const { hs, ws, he, we } = windowOf(g, oh, ow, true);
      for (let p = 0; p < g.NC; p++) {
        let best = -Infinity;
        let bestAt = hs * g.W + ws;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const v = x[p * plane + h * g.W + w];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestAt = h * g.W + w;
            }
          }
        const o = (p * g.OH + oh) * g.OW + ow;
        y[o] = best;
        argmax[o] = bestAt;
      }
    }
  if (act) activate(y, act);
}

/** dx = dy routed to each window's argmax (overwritten). */
export function maxPool2dBackward(g: PoolGeometry, dy: Storage, argmax: Int32Array, dx: Storage): void {
  const plane = g.H * g.W;
  dx.fill(0);
  const outPlane = g.OH * g.OW;
  for (let p = 0; p < g.NC; p++)
    for (let o = 0; o < outPlane; o++) dx[p * plane + argmax[p * outPlane + o]] += dy[p * outPlane + o];
}
