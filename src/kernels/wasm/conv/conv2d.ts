// Convolution and im2col/col2im through the WebAssembly module, same contracts as
// src/kernels/ref/conv2d.ts and ref/im2col.ts; which kernel runs for which layer is chosen in
// choose.ts. The whole batch is staged at once (or used in place, ../runtime/resident.ts), so the
// per-image steps run without leaving WebAssembly memory.
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
import { convAlgorithm, directWeightGroups, forwardAlgorithm, inputAlgorithm, lanesWeightGroups, tileFor, transposedDims, weightAlgorithm } from "./choose.js";

/** Multiply-adds per thread below which another thread costs more than it saves. */
const CONV_WORK_PER_THREAD = 1 << 18;

/** The bias gradient's dy values per thread while the workers are awake (see biasGrad). */
const BIAS_VALUES_PER_WARM_THREAD = 1 << 16;

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

/** Floats of the lanes weight gradient's scratch, per thread: x and dy of 4 images, the tap table. */
function lanesWeightScratch(d: Conv2dDims): number {
  return 4 * (d.C * (d.H + 2 * d.PH) * (d.W + 2 * d.PW) + d.OC * d.OH * d.OW) + d.C * d.KH * d.KW;
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
   * Images per GEMM (see ../assembly/conv/conv2d.ts): one where each image has enough output positions
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
   * have just run a kernel's parts, whose workers still spin (../runtime/threads.ts SPIN_MS): up to that many
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
      const algorithm = forwardAlgorithm(d);
      if (algorithm === "winograd") {
        const code = activationCode(act, ny(d)); // applied by the kernel
        const m = tileFor(d);
        const parts = winogradParts(d, d, threads, m, pw, false, px, xi, pb, py, yi, code);
        ctx.run("winogradForward", parts);
        if (code) act = undefined;
      } else if (algorithm === "lanes") {
        const code = activationCode(act, ny(d)); // applied by the kernel
        // blocks of 4 images: the kernel's lanes (any split gives the same bits)
        const parts = ranges(d.N, threads, 4).map(([n0, n1]) => {
          const geo = putGeometry(arena, d, n1 - n0);
          return [geo, px + 4 * n0 * xi, pw, pb, py + 4 * n0 * yi, arena.alloc(ctx.wasm.conv2dLanesForwardScratch(geo)), code];
        });
        ctx.run("conv2dLanesForward", parts);
        if (code) act = undefined;
      } else if (algorithm === "direct") {
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
      const algorithm = inputAlgorithm(d);
      if (algorithm === "winograd") {
        // the transposed convolution (see transposedDims), with the turned kernels' transform
        const t = transposedDims(d);
        const [pdy, pw, pdx] = [arena.put(F(dy), 0, ny(d)), arena.put(F(w), 0, nw(d)), arena.output(F(dx), 0, nx(d))];
        const m = tileFor(t);
        ctx.run("winogradForward", winogradParts(d, t, threads, m, pw, true, pdy, yi, 0, pdx, xi, 0));
        arena.get(pdx, nx(d), F(dx), 0);
        return;
      }
      if (algorithm === "input") {
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
      if (algorithm === "transposed") {
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
      const algorithm = weightAlgorithm(d, (m) => ctx.wasm.winogradBlockTiles(geo, m));
      const lanes = algorithm === "lanes";
      if (algorithm === "winograd") {
        // threads split the output channels (rows of 4: the GEMM's micro-kernel), all images each
        const m = tileFor(d);
        const ps = arena.alloc((m + 2) * (m + 2) * d.OC * d.C);
        parts = ranges(d.OC, threads, 4).map(([o0, o1]) => [geo, px, pdy, ps, pdw, arena.alloc(ctx.wasm.winogradScratch(geo, m, 1)), o0, o1, m]);
        ctx.run("winogradBackwardWeight", parts);
      } else if (lanes || algorithm === "direct") {
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
