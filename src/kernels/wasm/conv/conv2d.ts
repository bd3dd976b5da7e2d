// Convolution and im2col/col2im through the WebAssembly module, same contracts as
// src/kernels/ref/conv2d.ts and ref/im2col.ts. The whole batch is staged at once (or used in
// place, resident.ts), so the per-image steps run without leaving WebAssembly memory.
// Threads: the forward pass and the input gradient split the batch; the weight gradient splits
// the columns of dw (im2col + GEMM) or fixed groups of images whose sums are added in order
// (direct), the bias gradient its channels: the same bits for any thread count. Float64
// operands (gradient checks) go to the reference kernels.

import type { Storage } from "../../../core/dtype.js";
import * as ref from "../../ref/conv2d.js";
import type { Conv2dDims } from "../../ref/conv2d.js";
import { col2im as refCol2im, im2col as refIm2col, type ConvGeometry } from "../../ref/im2col.js";
import type { Activation } from "../../ref/elementwise.js";
import { activateAndGet, activationCode } from "../elementwise/activation.js";
import { ranges, type WasmContext } from "../runtime/context.js";
import { putGeometry, putWindowGeometry } from "../runtime/geometry.js";

/** Multiply-adds per thread below which another thread costs more than it saves. */
const CONV_WORK_PER_THREAD = 1 << 18;

/** The bias gradient's dy values per thread while the workers are awake (see biasGrad). */
const BIAS_VALUES_PER_WARM_THREAD = 1 << 16;

/**
 * The direct weight gradient's groups of images (see conv2dBackwardWeight): up to 8 (an even
 * split for 2, 4 or 8 threads), each with at least ~2048 output positions. They depend on the
 * geometry alone, never on the thread count.
 * NOTE: each group costs passes over its own block of OC*C*KH*KW lane vectors (zeroing, adding
 * up): one thread took ~1% longer on 16->32 3x3 on 16x16 at batch 32 with 8 groups of 4 images
 * than with 4 groups or 1; LeNet's C1 and C3 at batch 100 the same with 4 or 8.
 */
export function directWeightGroups(d: Conv2dDims): number {
  return Math.max(1, Math.min(8, d.N, Math.floor((d.N * d.OH * d.OW) / 2048)));
}

/**
 * Which algorithm a layer gets: "auto" is the rule below; tests and the benchmark force one to
 * compare them on the same shapes.
 */
export const convAlgorithm: { force: "auto" | "direct" | "lanes" | "im2col" | "winograd"; winograd: boolean; winogradTile: "auto" | 2 | 4; winogradTiles: "auto" | "rows" | "columns" } = {
  force: "auto",
  winograd: true,
  winogradTile: "auto",
  /** How Winograd's products lay the tiles out (assembly/winograd.ts): "auto" by winogradTilesAsRows. */
  winogradTiles: "auto",
};

/**
 * Winograd F(2x2, 3x3) (assembly/winograd.ts) takes 3x3 kernels at stride 1, undilated, one
 * group, padding at most 2 (the input gradient's transposed convolution pads by 2 - P).
 */
function winogradFits(d: Conv2dDims): boolean {
  return d.groups === 1 && d.KH === 3 && d.KW === 3 && d.SH === 1 && d.SW === 1 && d.DH === 1 && d.DW === 1 && d.PH <= 2 && d.PW <= 2;
}
/**
 * Where it pays: see WINOGRAD_MIN_CHANNELS and winogradTile. "winograd" forces it wherever it
 * fits; any other force keeps it off, and so does `winograd: false` (the rules before it, for
 * comparisons).
 */
function useWinograd(d: Conv2dDims): boolean {
  if (!winogradFits(d)) return false;
  if (convAlgorithm.force !== "auto") return convAlgorithm.force === "winograd";
  return convAlgorithm.winograd && d.C >= WINOGRAD_MIN_CHANNELS && d.OC >= WINOGRAD_MIN_CHANNELS && winogradTile(d) > 0;
}
/**
 * Winograd needs this many input and output channels: its transforms cost per channel what
 * the multiplies save per pair of channels.
 */
const WINOGRAD_MIN_CHANNELS = 16;
/**
 * Winograd's products per output and channel pair, at most (im2col + GEMM: 9): a tile of side m
 * costs (m+2)^2 whether its m x m outputs are all real or not (a 3x3 output needs four 2x2 tiles,
 * 7.1 products an output, or one 4x4, 4), and the transforms cost per tile on top.
 * NOTE: measured on this machine, ms im2col + GEMM / F(2x2) / F(4x4), fwd | dx | dw, 2 threads,
 * 3x3 padding 1 (/tmp script timing makeConvKernels on resident operands; a quiet stretch for
 * batch 32, a busy one for 128, both in one process each): batch 32: 64->64 on 24x24
 * 22.6/11.1/7.9 | 20.4/10.9/7.9 | 20.2/13.1/9.5; 128->128 on 12x12 21.7/12.0/8.7 | 20.1/11.8/8.9
 * | 20.0/13.5/8.6; 256->256 on 6x6 22.3/13.7/19.8 | 21.8/13.1/21.1 | 19.4/11.6/17.3 (tiles as
 * columns, before winogradTilesAsRows). Batch 128, tiles as rows: 512->512 on 3x3
 * 178/142/125 | 213/148/136 | 168/154/153; 256->256 on 6x6 185/81/104 | 165/82/104 | 155/89/122.
 */
const WINOGRAD_MAX_PRODUCTS = 5.4;
/**
 * Winograd needs this many tiles in a call: the kernels' transform (and its packing) is made per
 * call, (m+2)^2 OC C values, and the tiles share its cost.
 * NOTE: measured as above, batch 32 (32 tiles of 4x4), 512->512 on 3x3: 55/48/54 | 59/50/57 (busy).
 */
const WINOGRAD_MIN_TILES = 64;

/**
 * The weight gradient's products add each block of tiles into the whole (a, OC, C) transform of
 * dw: with few tiles a block, that traffic costs more than the products save.
 * NOTE: measured as above (busy), ms im2col + GEMM / F(2x2) / F(4x4), batch 32: 512->512 on 3x3
 * (128 / 32 tiles) 43.5/46.2/65.2, on 4x4 (128 / 32) 78.8/40.3/62.7; 128->128 on 12x12 (288
 * tiles of 4x4 in a block) 41.6/29.9/18.4; batch 128, 512->512 on 3x3 (28 tiles of 4x4 a block) 168/154/153
 * (blocks of at least 128 tiles since: assembly/winograd.ts WEIGHT_MIN_TILES).
 */
const WINOGRAD_MIN_BLOCK_TILES = 64;

/** Products per output and channel pair of F(m x m, 3x3) on d's output (see WINOGRAD_MAX_PRODUCTS). */
function products(d: Conv2dDims, m: number): number {
  return ((m + 2) ** 2 * Math.ceil(d.OH / m) * Math.ceil(d.OW / m)) / (d.OH * d.OW);
}

/**
 * The tile side m of F(m x m, 3x3) for a layer: the one with fewer products per output (2 on a
 * tie: smaller transforms), or 0 (none) where that saves too little or the tiles are too few;
 * convAlgorithm.winogradTile forces one.
 */
function winogradTile(d: Conv2dDims): number {
  if (convAlgorithm.winogradTile !== "auto") return convAlgorithm.winogradTile;
  const m = products(d, 4) < products(d, 2) ? 4 : 2;
  const tiles = d.N * Math.ceil(d.OH / m) * Math.ceil(d.OW / m);
  return products(d, m) <= WINOGRAD_MAX_PRODUCTS && tiles >= WINOGRAD_MIN_TILES ? m : 0;
}
/** The tile side a Winograd call uses: winogradTile's, or 2 where it says none but "winograd" is forced. */
const tileFor = (d: Conv2dDims) => winogradTile(d) || 2;

/**
 * Direct convolution (assembly/conv2d-direct.ts) needs stride 1, no dilation, one group. It pays
 * where output rows are long enough for its 8- and 4-column vectors and the taps are few; the
 * GEMM wins on many channels (its packed blocks stay in cache) and on tiny planes.
 * NOTE: measured on this machine, one thread, ms direct / im2col + GEMM (a script timing
 * makeConvKernels on random data): forward LeNet C1 (1->6, 5x5, 28x28 out) 0.84/1.37, C3 (6->16,
 * 5x5, 10x10 out) 1.71/2.06, 16->32 3x3 16x16 1.91/2.65, 64->64 3x3 24x24 16.8/18.8, 128->128
 * 12x12 19.8/19.2, 256->256 6x6 32.7/21.6; weight gradient C1 1.06/2.56, C3 2.11/2.49, 16->32
 * 2.39/2.75, 64->64 19.5/19.4, 128->128 22.8/18.9, 256->256 37.8/18.5.
 */
function directFits(d: Conv2dDims): boolean {
  return d.groups === 1 && d.SH === 1 && d.SW === 1 && d.DH === 1 && d.DW === 1;
}
function directPays(d: Conv2dDims, pass: "forward" | "weight"): boolean {
  const taps = d.C * d.KH * d.KW;
  return pass === "forward" ? d.OW >= 10 && taps <= 576 : d.OW >= 8 && taps <= 256;
}
/**
 * The input gradient as a forward convolution (run directly): dy padded by K - 1 - P, correlated
 * with the kernels flipped and their two channel axes swapped, gives dx (stride 1, no dilation).
 */
function transposedDims(d: Conv2dDims): Conv2dDims {
  return { ...d, C: d.OC, H: d.OH, W: d.OW, OC: d.C, PH: d.KH - 1 - d.PH, PW: d.KW - 1 - d.PW, OH: d.H, OW: d.W };
}
/**
 * Only for "same" padding or wider (P >= (K - 1) / 2), where dy's padding is no wider than x's.
 * NOTE: otherwise the padded dy is mostly zeros that the direct kernel multiplies anyway: LeNet's
 * C3 (5x5, no padding) took 5.4 ms against 2.6 ms by GEMM + col2im; 16->32 3x3 padding 1 on
 * 16x16 took 2.1 against 2.7, 64->64 on 24x24 17.5 against 19.5 (one thread, batch 32 and 16).
 */
function useDirectForInput(d: Conv2dDims): boolean {
  const padsEnough = convAlgorithm.force === "direct" || (2 * d.PH >= d.KH - 1 && 2 * d.PW >= d.KW - 1);
  return padsEnough && d.PH <= d.KH - 1 && d.PW <= d.KW - 1 && useDirect(transposedDims(d), "forward");
}
function useDirect(d: Conv2dDims, pass: "forward" | "weight"): boolean {
  return directFits(d) && (convAlgorithm.force === "direct" || (convAlgorithm.force === "auto" && directPays(d, pass)));
}

/** w (OC, C, KH, KW) into out[at...] as (C, OC, KH, KW), each kernel turned by 180 degrees. */
function flipKernels(d: Conv2dDims, w: Float32Array, out: Float32Array, at: number): void {
  const { OC, C, KH, KW } = d;
  for (let o = 0; o < OC; o++)
    for (let c = 0; c < C; c++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) out[at + ((c * OC + o) * KH + KH - 1 - kh) * KW + KW - 1 - kw] = w[((o * C + c) * KH + kh) * KW + kw];
}

const f32 = (...xs: Storage[]): boolean => xs.every((s) => s instanceof Float32Array);
/** After f32() said so. */
const F = (s: Storage) => s as Float32Array;

/**
 * The input gradient's own direct kernel (assembly/conv2d-input.ts, four images in the lanes of
 * each vector) wherever the direct kernels apply, unless the batch leaves half its lanes empty
 * or dy's planes are small: each packed weight (splatted, 4x the weights' size) is streamed once
 * per group of four images and serves only OH*OW positions there.
 * NOTE: measured on this machine, ms new kernel / before (the better of im2col + GEMM and the
 * flipped kernels), 1 thread | 2 threads, both builds in one process: LeNet C3 (N 100, 6 <- 16,
 * 5x5, no padding) 1.23/2.20 | 0.78/1.33; C1-like (1 <- 6, padding 2) 0.80/1.31 | 0.60/0.95;
 * 16 <- 32 3x3 on 16x16 (N 32) 1.61/1.97 | 0.96/1.13; 64 <- 64 on 24x24 (N 16) 15.7/17.4 |
 * 8.3/9.3; 256 <- 256 on 6x6 16.7/21.8 | 8.6/11.7; 512 <- 512 on 4x4 32.6/46.6 | 19.1/25.4;
 * 3 <- 64 7x7 on 96x96 82/88 | 44/49. Left out: C3 at N 2 0.063/0.049; LeNet's C5 (16 <- 120,
 * 5x5 on 5x5, dy 1x1) 0.50/0.52 | 0.43/0.37, the same on 6x6 (dy 2x2) 1.35/1.46 | 0.88/0.79.
 */
function useInputKernel(d: Conv2dDims): boolean {
  const pays = d.N >= 3 && d.OH * d.OW >= 16;
  return directFits(d) && (convAlgorithm.force === "direct" || (convAlgorithm.force === "auto" && pays));
}

/**
 * The forward with four images in the lanes (assembly/conv2d-lanes.ts) instead of the direct
 * kernel along rows, where that one pays and at most 1 lane in 8 of the batch is empty (a last
 * group of fewer than 4 images costs a whole group). "lanes" forces it wherever it applies;
 * "direct" keeps the row kernel.
 * NOTE: measured on this machine (shared, noisy: best of 30-60 alternating runs), ms lanes /
 * direct, fused tanh, both in one process, 1 thread | 2: LeNet C1 (N 100, 1->6, 5x5, padding 2)
 * 1.14/1.30 | 0.69/0.73; C3 (N 100, 6->16, 5x5, 10x10 out) 1.22/1.77 | 0.75/0.94; 16->32 3x3
 * 16x16 (N 32) 1.90/2.20 | 1.06/1.20; 64->64 3x3 24x24 (N 16) 16.3/17.8. Small batches, 1
 * thread: C3 at N 1 0.050/0.023, N 2 0.051/0.040, N 3 0.052/0.057; C1 at N 3 0.045/0.041;
 * 16->32 at N 3 0.228/0.202.
 */
function lanesPays(d: Conv2dDims): boolean {
  const empty = 4 * Math.ceil(d.N / 4) - d.N;
  return directPays(d, "forward") && 8 * empty <= d.N;
}
function useLanes(d: Conv2dDims): boolean {
  return directFits(d) && (convAlgorithm.force === "lanes" || (convAlgorithm.force === "auto" && lanesPays(d)));
}

/**
 * The lanes weight gradient's groups (assembly/conv2d-weight-lanes.ts): as directWeightGroups,
 * at most one per set of 4 images (the kernel's lanes), each set in one group.
 */
export function lanesWeightGroups(d: Conv2dDims): number {
  return Math.min(directWeightGroups(d), Math.ceil(d.N / 4));
}
/** Floats of the lanes weight gradient's scratch, per thread: x and dy of 4 images, the tap table. */
function lanesWeightScratch(d: Conv2dDims): number {
  return 4 * (d.C * (d.H + 2 * d.PH) * (d.W + 2 * d.PW) + d.OC * d.OH * d.OW) + d.C * d.KH * d.KW;
}
/**
 * The weight gradient with four images in the lanes (assembly/conv2d-weight-lanes.ts) instead of
 * the row kernel or im2col + GEMM, where dy's planes have at least 16 positions, the taps are not
 * too many, the G blocks of sums stay under 16 MiB, and the lanes left empty by the batch (a last
 * set of fewer than 4 images costs a whole set) are at most 1 in 8 more than the row kernel
 * leaves empty in each row's last vector (where that kernel would run; none for the GEMM).
 * "lanes" forces it wherever it applies; "direct" keeps the row kernel.
 * NOTE: measured on this machine (shared, noisy), ms lanes / other, x and dy resident, both in one
 * process (/tmp/wlanes/ab.mjs), 1 thread | 2. Against the row kernel: LeNet C3 (N 100)
 * 1.15/1.94 | 0.60/1.04, C1 (N 100) 0.57/0.62 | 0.32-0.43/0.34-0.51 (a tie at 2), 16->32 3x3
 * on 16x16 (N 32) 1.69-1.74/2.21-2.30 | 0.99-1.21/1.40-1.65; small batches, 1 thread, C3 at N 1
 * 0.052/0.026, N 2 0.051/0.045, N 3 0.051/0.064, N 5 0.095/0.101, N 7 0.096/0.140; C1 at N 1
 * 0.034/0.014, N 3 0.036/0.031, N 8 0.049/0.053; 16->32 at N 3 0.38/0.36, N 5 0.42/0.34.
 * Against im2col + GEMM, 3x3 padding 1 unless said: 64->64 on 24x24 (N 16) 15.6/18.9 | 8.0/10.2,
 * 128->128 on 12x12 (N 16) 15.0/18.1 | 8.0/9.6, 256->256 on 6x6 (N 16) 16.9/17.2 | 9.6/9.0
 * (left out), 32->32 on 4x4 (N 32) 0.28/0.40, 16->32 on 6x6 0.39/0.67, 64->64 1x1 on 16x16
 * 1.66/2.29, 3->64 7x7 on 96x96 (N 8) 32/42, C3 on 8x8 (N 100, dy 4x4) 0.23/0.53; left out,
 * LeNet's C5 (N 100, 16->120 5x5, dy 1x1) 1.12/0.50, on 6x6 (dy 2x2) 1.78/1.38.
 */
function weightLanesPays(d: Conv2dDims): boolean {
  const sets = Math.ceil(d.N / 4), vectors = Math.ceil(d.OW / 4);
  const laneWaste = (4 * sets - d.N) / (4 * sets);
  const rowWaste = directPays(d, "weight") ? (4 * vectors - d.OW) / (4 * vectors) : 0;
  const small = d.C * d.KH * d.KW <= 1152 && 4 * lanesWeightGroups(d) * d.OC * d.C * d.KH * d.KW <= 1 << 22;
  return small && d.OH * d.OW >= 16 && laneWaste <= rowWaste + 1 / 8;
}
function useWeightLanes(d: Conv2dDims): boolean {
  return directFits(d) && (convAlgorithm.force === "lanes" || (convAlgorithm.force === "auto" && weightLanesPays(d)));
}

export function makeConvKernels(ctx: WasmContext) {
  const { arena } = ctx;
  const nx = (d: Conv2dDims) => d.N * d.C * d.H * d.W;
  const nw = (d: Conv2dDims) => d.OC * (d.C / d.groups) * d.KH * d.KW;
  const ny = (d: Conv2dDims) => d.N * d.OC * d.OH * d.OW;
  const macs = (d: Conv2dDims) => ny(d) * (d.C / d.groups) * d.KH * d.KW;
  const KK = (d: Conv2dDims) => (d.C / d.groups) * d.KH * d.KW;

  /**
   * The transform (a, OC, C) of the kernels staged at pw for tile side m, made by `threads`
   * threads (flip: (a, C, OC), of the input gradient's kernels); its address.
   */
  const winogradWeights = (d: Conv2dDims, pw: number, threads: number, m: number, flip: boolean) => {
    const pu = arena.alloc((m + 2) * (m + 2) * d.OC * d.C);
    ctx.run("winogradWeights", ranges(d.OC, threads).map(([o0, o1]) => [pw, pu, d.OC, d.C, o0, o1, +flip, m, arena.alloc(48)]));
    return pu;
  };

  /**
   * The parts of a Winograd forward (t: its geometry, d itself or the input gradient's
   * transposed one): each thread a block of images of x (xi floats an image) into y (yi an
   * image); the kernels' transform, and packed for the GEMM when the tiles go as rows.
   */
  const winogradParts = (d: Conv2dDims, t: Conv2dDims, threads: number, m: number, pw: number, flip: boolean, px: number, xi: number, pb: number, py: number, yi: number, code: number) => {
    const pu = winogradWeights(d, pw, threads, m, flip);
    const split = ranges(t.N, threads);
    const geos = split.map(([n0, n1]) => putGeometry(arena, t, n1 - n0));
    let up = 0;
    const layout = convAlgorithm.winogradTiles;
    if (layout === "rows" || (layout === "auto" && ctx.wasm.winogradTilesAsRows(geos[0], m))) {
      up = arena.alloc(ctx.wasm.winogradPackedFloats(t.OC, t.C, m));
      ctx.run("winogradPackWeights", ranges((m + 2) * (m + 2), threads).map(([k0, k1]) => [pu, up, t.OC, t.C, k0, k1]));
    }
    return split.map(([n0], i) => [geos[i], px + 4 * n0 * xi, pu, up, pb, py + 4 * n0 * yi, arena.alloc(ctx.wasm.winogradScratch(geos[i], m, 0)), code, m]);
  };

  /**
   * Images per GEMM (see assembly/conv2d.ts): one where each image has enough output positions
   * to fill the GEMM's columns, else enough images to give it ~1024 columns, with the im2col
   * block kept under ~1 MiB. Depends on the geometry only, never on the thread count.
   */
  const chunkOf = (d: Conv2dDims) => {
    const P = d.OH * d.OW;
    if (P >= 256) return 1;
    return Math.max(1, Math.min(d.N, Math.floor(Math.min(1024, (1 << 18) / KK(d)) / P)));
  };

  /** Per-thread scratch: the im2col block for `rows` rows and the GEMM's tmp block. */
  const scratch = (d: Conv2dDims, chunk: number, rows: number) => {
    const L = chunk * d.OH * d.OW;
    return [arena.alloc(rows * L), chunk > 1 ? arena.alloc((d.OC / d.groups) * L) : 0, chunk];
  };

  /**
   * The parts of a batch-split call: each thread gets a geometry for its images, `at` to offset
   * an operand to its first image, and its own scratch; `make` lists the arguments.
   */
  const byImages = (d: Conv2dDims, threads: number, make: (geo: number, at: (addr: number, perImage: number) => number, scratch: number[]) => number[]) =>
    ranges(d.N, threads).map(([n0, n1]) => {
      const mine = { ...d, N: n1 - n0 };
      return make(putGeometry(arena, mine), (addr, perImage) => addr + 4 * n0 * perImage, scratch(mine, chunkOf(mine), KK(d)));
    });

  /** Floats of one zero-padded image for the direct kernels (4 more: a tail vector reads past it), its tap table, and the forward's packed weights. */
  const padded = (d: Conv2dDims) => d.C * (d.H + 2 * d.PH) * (d.W + 2 * d.PW) + 4 + KK(d) + 4 + d.OC * KK(d);

  /**
   * db from dy already staged at pdy (threads take blocks of channels). `warm`: the threads that
   * have just run a kernel's parts, whose workers still spin (threads.ts SPIN_MS): up to that many
   * pay from fewer values. A worker woken from sleep starts too late for a call this short.
   * NOTE: measured on this machine, ms 1 thread / 2, dy resident, back to back: LeNet C1 at
   * batch 100 (470K values) 0.072/0.040, C3 (160K) 0.028/0.016, 16->32 on 16x16 at batch 16
   * (131K) 0.021/0.012, at batch 8 (65K) 0.011/0.011; after 2 ms idle, C1 0.18/0.73 and
   * C3 0.05/0.60.
   */
  const biasGrad = (d: Conv2dDims, pdy: number, db: Float32Array, warm = 1) => {
    const threads = Math.max(ctx.threadsNow(ny(d), CONV_WORK_PER_THREAD), Math.min(warm, ctx.threadsNow(ny(d), BIAS_VALUES_PER_WARM_THREAD)));
    const pdb = arena.alloc(d.OC);
    ctx.run("conv2dBackwardBias", ranges(d.OC, threads).map(([o0, o1]) => [pdy, pdb, d.N, d.OC, d.OH * d.OW, o0, o1]));
    arena.get(pdb, d.OC, db, 0);
  };

  return {
    conv2dForward(d: Conv2dDims, x: Storage, w: Storage, bias: Storage | null, y: Storage, act?: Activation): void {
      if (!f32(x, w, y) || (bias && !f32(bias))) return ref.conv2dForward(d, x, w, bias, y, act);
      const threads = ctx.threads(macs(d), CONV_WORK_PER_THREAD);
      arena.reset();
      const [px, pw] = [arena.put(F(x), 0, nx(d)), arena.put(F(w), 0, nw(d))];
      const pb = bias ? arena.put(F(bias), 0, d.OC) : 0;
      const py = arena.output(F(y), 0, ny(d));
      const [xi, yi] = [nx(d) / d.N, ny(d) / d.N];
      if (useWinograd(d)) {
        const code = activationCode(act, ny(d)); // applied by the kernel
        const m = tileFor(d);
        const parts = winogradParts(d, d, threads, m, pw, false, px, xi, pb, py, yi, code);
        ctx.run("winogradForward", parts);
        if (code) act = undefined;
      } else if (useLanes(d)) {
        const code = activationCode(act, ny(d)); // applied by the kernel
        // blocks of 4 images: the kernel's lanes (any split gives the same bits)
        const parts = ranges(d.N, threads, 4).map(([n0, n1]) => {
          const geo = putGeometry(arena, d, n1 - n0);
          return [geo, px + 4 * n0 * xi, pw, pb, py + 4 * n0 * yi, arena.alloc(ctx.wasm.conv2dLanesForwardScratch(geo)), code];
        });
        ctx.run("conv2dLanesForward", parts);
        if (code) act = undefined;
      } else if (useDirect(d, "forward")) {
        const code = activationCode(act, ny(d)); // applied by the kernel
        const parts = ranges(d.N, threads).map(([n0, n1]) => [putGeometry(arena, d, n1 - n0), px + 4 * n0 * xi, pw, pb, py + 4 * n0 * yi, arena.alloc(padded(d)), code]);
        ctx.run("conv2dDirectForward", parts);
        if (code) act = undefined;
      } else ctx.run("conv2dForward", byImages(d, threads, (geo, at, s) => [geo, at(px, xi), pw, pb, at(py, yi), ...s]));
      activateAndGet(ctx, act, py, ny(d), F(y));
    },
    conv2dBackwardInput(d: Conv2dDims, dy: Storage, w: Storage, dx: Storage): void {
      if (!f32(dy, w, dx)) return ref.conv2dBackwardInput(d, dy, w, dx);
      const threads = ctx.threads(macs(d), CONV_WORK_PER_THREAD);
      arena.reset();
      const [xi, yi] = [nx(d) / d.N, ny(d) / d.N];
      if (useWinograd(d)) {
        // the transposed convolution (see transposedDims), with the turned kernels' transform
        const t = transposedDims(d);
        const [pdy, pw, pdx] = [arena.put(F(dy), 0, ny(d)), arena.put(F(w), 0, nw(d)), arena.output(F(dx), 0, nx(d))];
        const m = tileFor(t);
        ctx.run("winogradForward", winogradParts(d, t, threads, m, pw, true, pdy, yi, 0, pdx, xi, 0));
        arena.get(pdx, nx(d), F(dx), 0);
        return;
      }
      if (useInputKernel(d)) {
        const [pdy, pw, pdx] = [arena.put(F(dy), 0, ny(d)), arena.put(F(w), 0, nw(d)), arena.output(F(dx), 0, nx(d))];
        // blocks of 4 images: the kernel's lanes (any split gives the same bits)
        const parts = ranges(d.N, threads, 4).map(([n0, n1]) => {
          const geo = putGeometry(arena, d, n1 - n0);
          return [geo, pdy + 4 * n0 * yi, pw, pdx + 4 * n0 * xi, arena.alloc(ctx.wasm.conv2dDirectBackwardInputScratch(geo))];
        });
        ctx.run("conv2dDirectBackwardInput", parts);
        arena.get(pdx, nx(d), F(dx), 0);
        return;
      }
      if (useDirectForInput(d)) {
        const t = transposedDims(d);
        const [pdy, pw, pdx] = [arena.put(F(dy), 0, ny(d)), arena.alloc(nw(d)), arena.output(F(dx), 0, nx(d))];
        const parts = ranges(d.N, threads).map(([n0, n1]) => [putGeometry(arena, t, n1 - n0), pdy + 4 * n0 * yi, pw, 0, pdx + 4 * n0 * xi, arena.alloc(padded(t)), 0]);
        flipKernels(d, F(w), arena.f32, pw / 4);
        ctx.run("conv2dDirectForward", parts);
        arena.get(pdx, nx(d), F(dx), 0);
        return;
      }
      const [pdy, pw, pdx] = [arena.put(F(dy), 0, ny(d)), arena.put(F(w), 0, nw(d)), arena.output(F(dx), 0, nx(d))];
      ctx.run("conv2dBackwardInput", byImages(d, threads, (geo, at, s) => [geo, at(pdy, yi), pw, at(pdx, xi), ...s]));
      arena.get(pdx, nx(d), F(dx), 0);
    },
    conv2dBackwardWeight(d: Conv2dDims, x: Storage, dy: Storage, dw: Storage, db: Storage | null = null): void {
      if (!f32(x, dy, dw) || (db && !f32(db))) return ref.conv2dBackwardWeight(d, x, dy, dw, db);
      const threads = ctx.threads(macs(d), CONV_WORK_PER_THREAD);
      arena.reset();
      const geo = putGeometry(arena, d);
      // NOTE: pdw right after dy: the direct kernel's masked last vector reads a little past dy.
      const [px, pdy, pdw] = [arena.put(F(x), 0, nx(d)), arena.put(F(dy), 0, ny(d)), arena.output(F(dw), 0, nw(d))];
      let parts: number[][];
      const lanes = useWeightLanes(d);
      if (useWinograd(d) && (convAlgorithm.force === "winograd" || ctx.wasm.winogradBlockTiles(geo, tileFor(d)) >= WINOGRAD_MIN_BLOCK_TILES)) {
        // threads split the output channels (rows of 4: the GEMM's micro-kernel), all images each
        const m = tileFor(d);
        const ps = arena.alloc((m + 2) * (m + 2) * d.OC * d.C);
        parts = ranges(d.OC, threads, 4).map(([o0, o1]) => [geo, px, pdy, ps, pdw, arena.alloc(ctx.wasm.winogradScratch(geo, m, 1)), o0, o1, m]);
        ctx.run("winogradBackwardWeight", parts);
      } else if (lanes || useDirect(d, "weight")) {
        // Each group of images (whole sets of 4 for the lanes kernel) sums into its own block, the
        // blocks are added in order: groups per thread, or where there are fewer groups than
        // threads (small batches) channel pairs with every group; both give the same bits for any
        // thread count.
        // NOTE: measured on this machine, ms 1 thread | 2, x and dy resident, the row kernel split
        // this way / the one before (channel pairs, or for few channels blocks of 4 taps, each
        // thread padding every image): LeNet C1 (batch 100) 0.63 | 0.33 / 0.63 | 0.40, C3 1.96 |
        // 1.03 / 1.96 | 1.10, 16->32 3x3 on 16x16 (batch 32) 2.24 | 1.16 / 2.23 | 1.17.
        const G = lanes ? lanesWeightGroups(d) : directWeightGroups(d);
        const sums = arena.alloc(4 * G * nw(d));
        const split = G >= threads ? ranges(G, threads).map(([g0, g1]) => [g0, g1, 0, d.OC]) : ranges(d.OC, threads, 2).map(([o0, o1]) => [0, G, o0, o1]);
        const scratchFloats = lanes ? lanesWeightScratch(d) : padded(d);
        parts = split.map(([g0, g1, o0, o1]) => [geo, px, pdy, sums, arena.alloc(scratchFloats), G, g0, g1, o0, o1]);
        ctx.run(lanes ? "conv2dLanesBackwardWeight" : "conv2dDirectBackwardWeight", parts);
        ctx.wasm.conv2dDirectBackwardWeightSum(sums, G, nw(d), pdw);
      } else {
        const chunk = chunkOf(d);
        parts = ranges(KK(d), threads).map(([r0, r1]) => [geo, px, pdy, pdw, ...scratch(d, chunk, r1 - r0), r0, r1]);
        ctx.run("conv2dBackwardWeight", parts);
      }
      arena.get(pdw, nw(d), F(dw), 0);
      if (db) biasGrad(d, pdy, F(db), Math.min(threads, parts.length));
    },
    conv2dBackwardBias(d: Conv2dDims, dy: Storage, db: Storage): void {
      if (!f32(dy, db)) return ref.conv2dBackwardBias(d, dy, db);
      ctx.threads(ny(d), CONV_WORK_PER_THREAD); // starts workers before the arena is in use
      arena.reset();
      biasGrad(d, arena.put(F(dy), 0, ny(d)), F(db));
    },
    im2col(g: ConvGeometry, x: Storage, xOffset: number, cols: Storage): void {
      if (!f32(x, cols)) return refIm2col(g, x, xOffset, cols);
      const n = g.C * g.KH * g.KW * g.OH * g.OW;
      arena.reset();
      const geo = putWindowGeometry(arena, g);
      const px = arena.put(F(x), xOffset, g.C * g.H * g.W);
      const pc = arena.output(F(cols), 0, n);
      ctx.wasm.im2col(geo, px, pc);
      arena.get(pc, n, F(cols), 0);
    },
    col2im(g: ConvGeometry, cols: Storage, dx: Storage, dxOffset: number): void {
      if (!f32(cols, dx)) return refCol2im(g, cols, dx, dxOffset);
      const nx = g.C * g.H * g.W;
      arena.reset();
      const geo = putWindowGeometry(arena, g);
      const pc = arena.put(F(cols), 0, g.C * g.KH * g.KW * g.OH * g.OW);
      const pdx = arena.inout(F(dx), dxOffset, nx);
      ctx.wasm.col2im(geo, pc, pdx);
      arena.get(pdx, nx, F(dx), dxOffset);
    },
  };
}
