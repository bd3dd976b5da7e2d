// Which convolution kernel runs for which layer: the rules, each with the measurements that
// justify it, and convAlgorithm, which tests and benchmarks set to force one kernel. The wrappers
// (conv2d.ts) ask forwardAlgorithm, inputAlgorithm and weightAlgorithm. The kernels, in ../assembly/conv/:
//   im2col      im2col + GEMM (GEMM + col2im for the input gradient), any layer: conv2d.ts
//   direct      along rows of outputs, stride 1, no dilation, one group: conv2d-direct.ts, conv2d-weight.ts
//   lanes       four images in the lanes of each vector, where direct fits: conv2d-lanes.ts,
//               conv2d-weight-lanes.ts
//   input       the input gradient's own kernel, four images in the lanes: conv2d-input.ts
//   transposed  the input gradient as the direct forward of the transposed convolution: conv2d-direct.ts
//   winograd    F(2x2, 3x3) and F(4x4, 3x3), 3x3 kernels at stride 1: winograd.ts

import type { Conv2dDims } from "../../ref/conv2d.js";

/**
 * Which algorithm a layer gets: "auto" is the rule below; tests and the benchmark force one to
 * compare them on the same shapes.
 */
export const convAlgorithm: { force: "auto" | "direct" | "lanes" | "im2col" | "winograd"; winograd: boolean; winogradTile: "auto" | 2 | 4; winogradTiles: "auto" | "rows" | "columns" } = {
  force: "auto",
  winograd: true,
  winogradTile: "auto",
  /** How Winograd's products lay the tiles out (../assembly/conv/winograd.ts): "auto" by winogradTilesAsRows. */
  winogradTiles: "auto",
};

/** The forward pass's kernel. */
export function forwardAlgorithm(d: Conv2dDims): "winograd" | "lanes" | "direct" | "im2col" {
  if (useWinograd(d)) return "winograd";
  if (convAlgorithm.force === "auto" && pointwiseGemm(d)) return "im2col";
  if (useLanes(d)) return "lanes";
  if (useDirect(d, "forward")) return "direct";
  return "im2col";
}

/** The input gradient's kernel ("winograd" and "transposed" run on transposedDims(d)). */
export function inputAlgorithm(d: Conv2dDims): "winograd" | "input" | "transposed" | "im2col" {
  if (useWinograd(d)) return "winograd";
  if (useInputKernel(d)) return "input";
  if (useDirectForInput(d)) return "transposed";
  return "im2col";
}

/**
 * The weight gradient's kernel. `blockTiles(m)`: the tiles in a block of Winograd's weight
 * gradient with tile side m (the module's winogradBlockTiles), asked only where Winograd fits.
 */
export function weightAlgorithm(d: Conv2dDims, blockTiles: (m: number) => number): "winograd" | "lanes" | "direct" | "im2col" {
  if (useWinograd(d) && (convAlgorithm.force === "winograd" || blockTiles(tileFor(d)) >= WINOGRAD_MIN_BLOCK_TILES)) return "winograd";
  if (useWeightLanes(d)) return "lanes";
  if (useDirect(d, "weight")) return "direct";
  return "im2col";
}

/**
 * A 1x1 kernel at stride 1 without padding whose images have 256+ output positions each: the
 * "im2col" kernel runs it as one plain GEMM per image over x in place (../assembly/conv/conv2d.ts).
 * NOTE: measured (ms, forward, 2 threads, best of 4, a loaded machine) GEMM against lanes | direct:
 * d2l's Inception b3 1x1s at batch 32 on 28x28, 192->64 32.8 / 47.5 | 38.7, 192->32 22.3 / 27.8 |
 * 22.6, 192->96 46.4 / 60.3 | 50.3. The gradients stay with their rules (no clear winner there:
 * 192->64 input gradient 32.3 against 27.7 by lanes).
 */
function pointwiseGemm(d: Conv2dDims): boolean {
  return d.KH === 1 && d.KW === 1 && d.SH === 1 && d.SW === 1 && d.PH === 0 && d.PW === 0 && d.OH * d.OW >= 256;
}

/**
 * Winograd F(2x2, 3x3) (../assembly/conv/winograd.ts) takes 3x3 kernels at stride 1, undilated, one
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
 * (blocks of at least 128 tiles since: ../assembly/conv/winograd.ts WEIGHT_MIN_TILES).
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
export const tileFor = (d: Conv2dDims) => winogradTile(d) || 2;

/**
 * Direct convolution (../assembly/conv/conv2d-direct.ts) needs stride 1, no dilation, one group. It pays
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
export function transposedDims(d: Conv2dDims): Conv2dDims {
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

/**
 * The input gradient's own direct kernel (../assembly/conv/conv2d-input.ts, four images in the lanes of
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
 * The forward with four images in the lanes (../assembly/conv/conv2d-lanes.ts) instead of the direct
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
 * The lanes weight gradient's groups (../assembly/conv/conv2d-weight-lanes.ts): as directWeightGroups,
 * at most one per set of 4 images (the kernel's lanes), each set in one group.
 */
export function lanesWeightGroups(d: Conv2dDims): number {
  return Math.min(directWeightGroups(d), Math.ceil(d.N / 4));
}
/**
 * The weight gradient with four images in the lanes (../assembly/conv/conv2d-weight-lanes.ts) instead of
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

/**
 * The direct weight gradient's groups of images (see conv2d.ts conv2dBackwardWeight): up to 8 (an even
 * split for 2, 4 or 8 threads), each with at least ~2048 output positions. They depend on the
 * geometry alone, never on the thread count.
 * NOTE: each group costs passes over its own block of OC*C*KH*KW lane vectors (zeroing, adding
 * up): one thread took ~1% longer on 16->32 3x3 on 16x16 at batch 32 with 8 groups of 4 images
 * than with 4 groups or 1; LeNet's C1 and C3 at batch 100 the same with 4 or 8.
 */
export function directWeightGroups(d: Conv2dDims): number {
  return Math.max(1, Math.min(8, d.N, Math.floor((d.N * d.OH * d.OW) / 2048)));
}
