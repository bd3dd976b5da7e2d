// im2col / col2im for one image in raw float32 memory: the same index walk as
// src/kernels/ref/im2col.ts, with each output row's valid column range computed once
// (so the inner loop has no bounds tests, and stride 1 becomes a straight copy).
// NOTE: rows are short (OW = 28 for LeNet's C1): hence the inlined copies of ./mem.
//   x is (C, H, W); cols is (C*KH*KW, OH*OW). Geometry: see ../common/geometry.ts.

import { Geometry } from "../common/geometry";
import { copyF32, fillF32 } from "../common/mem";

export function im2col(g: Geometry, C: i32, x: usize, cols: usize): void {
  walk(g, C, x, cols, g.OH * g.OW, true, 0, C * g.KH * g.KW);
}

/**
 * Rows [r0, r1) of im2col's output (a thread's share of a weight gradient), `ld` floats apart
 * (wider than OH*OW when several images' columns sit side by side).
 */
export function im2colRows(g: Geometry, C: i32, x: usize, cols: usize, ld: i32, r0: i32, r1: i32): void {
  walk(g, C, x, cols, ld, true, r0, r1);
}

/** dx (C, H, W) += the adjoint of im2col applied to cols (rows `ld` floats apart). */
export function col2im(g: Geometry, C: i32, cols: usize, ld: i32, dx: usize): void {
  walk(g, C, dx, cols, ld, false, 0, C * g.KH * g.KW);
}

/** cols holds rows [r0, r1) of the full (C*KH*KW, OH*OW) matrix, `ld` floats apart. */
function walk(g: Geometry, C: i32, img: usize, cols: usize, ld: i32, gather: bool, r0: i32, r1: i32): void {
  const H = g.H, W = g.W, OH = g.OH, OW = g.OW, SW = g.SW;
  let row = -r0;
  for (let c = 0; c < C; c++)
    for (let kh = 0; kh < g.KH; kh++)
      for (let kw = 0; kw < g.KW; kw++, row++) {
        if (row < 0 || row >= r1 - r0) continue;
        // Columns ow with 0 <= ow*SW - PW + kw*DW < W form the range [lo, hi).
        const shift = kw * g.DW - g.PW;
        let lo = shift >= 0 ? 0 : (-shift + SW - 1) / SW;
        let hi = W - 1 - shift >= 0 ? (W - 1 - shift) / SW + 1 : 0;
        if (hi > OW) hi = OW;
        if (lo > hi) lo = hi;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * g.SH - g.PH + kh * g.DH;
          const col = cols + (<usize>(row * ld + oh * OW) << 2);
          if (ih < 0 || ih >= H) {
            if (gather) fillF32(col, OW, 0);
            continue;
          }
          const pix = img + (<usize>((c * H + ih) * W + shift) << 2);
          if (gather) {
            fillF32(col, lo, 0);
            if (SW == 1) copyF32(col + (<usize>lo << 2), pix + (<usize>lo << 2), hi - lo);
            else for (let ow = lo; ow < hi; ow++) store<f32>(col + (<usize>ow << 2), load<f32>(pix + (<usize>(ow * SW) << 2)));
            fillF32(col + (<usize>hi << 2), OW - hi, 0);
          } else {
            let ow = lo;
            if (SW == 1)
              for (; ow + 4 <= hi; ow += 4) {
                const d = pix + (<usize>ow << 2);
                v128.store(d, f32x4.add(v128.load(d), v128.load(col + (<usize>ow << 2))));
              }
            for (; ow < hi; ow++) {
              const d = pix + (<usize>(ow * SW) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(col + (<usize>ow << 2)));
            }
          }
        }
      }
}
