// The zero-padded image and the tap table that the direct kernels (conv2d-direct.ts forward,
// conv2d-weight.ts weight gradient) walk: an output's inputs are its top-left padded position
// plus one byte offset per tap.
//   `pad` is scratch for one padded image, C x (H + 2 PH) x (W + 2 PW) floats and 4 more (a tail
//   vector may read past the end).

import { Geometry } from "../common/geometry";
import { copyF32, f32s, fillF32 } from "../common/mem";

/** Image `img` (C, H, W) into `pad` with its zero border. */
export function padImage(g: Geometry, img: usize, pad: usize): void {
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW;
  fillF32(pad, g.C * Hp * Wp + 4, 0);
  for (let c = 0; c < g.C; c++)
    for (let h = 0; h < g.H; h++) copyF32(pad + f32s((c * Hp + h + g.PH) * Wp + g.PW), img + f32s((c * g.H + h) * g.W), g.W);
}

/** Byte offsets of the taps in (c, kh, kw) order from an output's top-left input, at `taps`. */
export function tapTable(g: Geometry, taps: usize): void {
  const Hp = g.H + 2 * g.PH, Wp = g.W + 2 * g.PW;
  for (let c = 0, t = 0; c < g.C; c++)
    for (let kh = 0; kh < g.KH; kh++)
      for (let kw = 0; kw < g.KW; kw++, t++) store<i32>(taps + (<usize>t << 2), ((c * Hp + kh) * Wp + kw) << 2);
}
