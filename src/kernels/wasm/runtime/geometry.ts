// The geometry record shared with the WebAssembly side: 16 consecutive i32 in the order of the
// fields of src/kernels/wasm/assembly/common/geometry.ts.
// NOTE: the writers take the fields that differ from a geometry as arguments rather than a
// spread copy such as { ...g, C: 1, N: planes }: a spread that adds properties the source lacks
// made V8 build new hidden classes on every call (LeNet-5 training with 2 threads: 90 KB of
// maps and descriptors a step, ~4 MB promoted per scavenge, scavenges of 10-13 ms against
// 0.5 ms without, measured with node --trace-gc-nvp).

import type { Conv2dDims } from "../../ref/conv2d.js";
import type { ConvGeometry, Window2d } from "../../ref/im2col.js";
import type { Arena } from "./arena.js";

/** Writes the record of d with `N` images (d.N unless given); returns its byte address. */
export function putGeometry(arena: Arena, d: Conv2dDims, N = d.N): number {
  return putRecord(arena, d.C, d.H, d.W, d.KH, d.KW, d.SH, d.SW, d.PH, d.PW, d.DH, d.DW, d.OH, d.OW, N, d.OC, d.groups);
}

/** The record of one image through window g, one output channel and one group (im2col, col2im). */
export function putWindowGeometry(arena: Arena, g: ConvGeometry): number {
  return putRecord(arena, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, 1, 1, 1);
}

/** Pooling's record: `planes` planes through window w, each as a one-channel image. */
export function putPlanesGeometry(arena: Arena, w: Window2d, planes: number): number {
  return putRecord(arena, 1, w.H, w.W, w.KH, w.KW, w.SH, w.SW, w.PH, w.PW, 1, 1, w.OH, w.OW, planes, 1, 1);
}

function putRecord(
  arena: Arena, C: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number, PH: number, PW: number,
  DH: number, DW: number, OH: number, OW: number, N: number, OC: number, groups: number,
): number {
  const at = arena.alloc(16);
  const r = arena.i32;
  const i = at / 4; // not at >> 2: addresses pass 2 GiB
  r[i] = C; r[i + 1] = H; r[i + 2] = W; r[i + 3] = KH; r[i + 4] = KW; r[i + 5] = SH; r[i + 6] = SW; r[i + 7] = PH;
  r[i + 8] = PW; r[i + 9] = DH; r[i + 10] = DW; r[i + 11] = OH; r[i + 12] = OW; r[i + 13] = N; r[i + 14] = OC; r[i + 15] = groups;
  return at;
}
