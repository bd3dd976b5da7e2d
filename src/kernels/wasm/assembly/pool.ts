// 2-D pooling over NC planes in raw float32 memory, the same windows as
// src/kernels/ref/pool.ts, walked plane by plane (the reference walks output positions).
//   x is (NC, H, W), y is (NC, OH, OW); the geometry's N field holds NC (see ../pool.ts).
// Windows are clipped as PyTorch does: at H + PH for the divisor, at H for the sum.
// NOTE: averages sum and divide in f64 like the reference (JavaScript numbers), so both
// backends give bit-identical results (adaptive pooling is tested equal to avgPool2d).

import { Geometry } from "./geometry";

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

// The current window, set by window(): rows [hs, he), columns [ws, we), and the divisor.
let hs = 0, he = 0, ws = 0, we = 0;
let divisor: f64 = 1;

// @ts-ignore: decorator
@inline function window(g: Geometry, oh: i32, ow: i32, includePad: bool): void {
  const h0 = oh * g.SH - g.PH;
  const w0 = ow * g.SW - g.PW;
  const h1 = min(h0 + g.KH, g.H + g.PH);
  const w1 = min(w0 + g.KW, g.W + g.PW);
  hs = max(h0, 0);
  he = min(h1, g.H);
  ws = max(w0, 0);
  we = min(w1, g.W);
  divisor = <f64>(includePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws));
}

export function avgPool2dForward(geo: usize, x: usize, y: usize, includePad: bool): void {
  const g = changetype<Geometry>(geo);
  for (let p = 0; p < g.N; p++) {
    const plane = at(x, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, includePad);
        let s: f64 = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) s += <f64>load<f32>(at(plane, h * g.W + w));
        store<f32>(at(y, (p * g.OH + oh) * g.OW + ow), <f32>(s / divisor));
      }
  }
}

/** dx = the adjoint of the average (overwritten). */
export function avgPool2dBackward(geo: usize, dy: usize, dx: usize, includePad: bool): void {
  const g = changetype<Geometry>(geo);
  memory.fill(dx, 0, <usize>(g.N * g.H * g.W) << 2);
  for (let p = 0; p < g.N; p++) {
    const plane = at(dx, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, includePad);
        const v = <f64>load<f32>(at(dy, (p * g.OH + oh) * g.OW + ow)) / divisor;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const d = at(plane, h * g.W + w);
            store<f32>(d, <f32>(<f64>load<f32>(d) + v));
          }
      }
  }
}

/** y = window maxima (NaN wins), argmax = their index within the plane (i32). */
export function maxPool2dForward(geo: usize, x: usize, y: usize, argmax: usize): void {
  const g = changetype<Geometry>(geo);
  for (let p = 0; p < g.N; p++) {
    const plane = at(x, p * g.H * g.W);
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        window(g, oh, ow, true);
        let best: f32 = -Infinity;
        let bestAt = hs * g.W + ws;
        for (let h = hs; h < he; h++)
          for (let w = ws; w < we; w++) {
            const v = load<f32>(at(plane, h * g.W + w));
            if (v > best || v != v) {
              best = v;
              bestAt = h * g.W + w;
            }
          }
        const o = (p * g.OH + oh) * g.OW + ow;
        store<f32>(at(y, o), best);
        store<i32>(at(argmax, o), bestAt);
      }
  }
}

/** dx = 0, then dx[plane, argmax] += dy. */
export function maxPool2dBackward(geo: usize, dy: usize, argmax: usize, dx: usize): void {
  const g = changetype<Geometry>(geo);
  memory.fill(dx, 0, <usize>(g.N * g.H * g.W) << 2);
  const plane = g.H * g.W;
  const outPlane = g.OH * g.OW;
  for (let p = 0; p < g.N; p++)
    for (let o = 0; o < outPlane; o++) {
      const i = p * outPlane + o;
      const d = at(dx, p * plane + load<i32>(at(argmax, i)));
      store<f32>(d, load<f32>(d) + load<f32>(at(dy, i)));
    }
}
