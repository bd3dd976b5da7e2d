// im2col / col2im as exports taking a geometry address (one image of g.C channels).

import { Geometry } from "../common/geometry";
import { col2im as col2imImpl, im2col as im2colImpl } from "./im2col";

export function im2col(geo: usize, x: usize, cols: usize): void {
  const g = changetype<Geometry>(geo);
  im2colImpl(g, g.C, x, cols);
}

export function col2im(geo: usize, cols: usize, dx: usize): void {
  const g = changetype<Geometry>(geo);
  col2imImpl(g, g.C, cols, g.OH * g.OW, dx);
}
