// Batch norm through the WebAssembly module, same contracts as src/kernels/ref/norm.ts: the
// float32 passes give the reference's bits, the statistics and sums agree with its float64 sums
// to ~1e-15 (another order of additions). Threads take blocks of planes (see
// ../assembly/norm/norm.ts); sums come back per plane and are added here per channel in order of n: the
// same bits for any thread count. Float64 and short inputs go to the reference.

import type { Storage } from "../../../core/dtype.js";
import type { Activation } from "../../ref/elementwise.js";
import * as ref from "../../ref/norm.js";
import type { NormDims } from "../../ref/norm.js";
import { activationCode } from "../elementwise/activation.js";
import { lightParts, ranges, type WasmContext } from "../runtime/context.js";
import { VALUES_PER_THREAD, worth } from "../elementwise/elementwise.js";
import type { KernelName } from "../runtime/signatures.js";

export function makeNormKernels(ctx: WasmContext) {
  const { arena } = ctx;
  /** Starts a call: its parts, blocks of planes for the threads it gets (then resets the arena). */
  const begin = ({ N, C, S }: NormDims): [number, number][] => {
    const threads = ctx.threads(N * C * S, VALUES_PER_THREAD);
    arena.reset();
    return ranges(N * C, lightParts(threads));
  };
  /** Runs fn on each block of planes: `args`, then the block's first and end plane, then `after`. */
  const planes = (fn: KernelName, parts: [number, number][], args: number[], after: number[] = []) =>
    ctx.run(fn, parts.map(([q0, q1]) => [...args, q0, q1, ...after]));
  /** Per-channel values staged as f32 (coefficients of the float32 formulas) or f64. */
  const f32s = (v: Float64Array): number => {
    const at = arena.alloc(v.length);
    arena.f32.set(v, at / 4);
    return at;
  };
  const f64s = (v: Float64Array): number => {
    const at = arena.alloc(2 * v.length);
    new Float64Array(arena.f32.buffer, at, v.length).set(v);
    return at;
  };
  /**
   * out[c] = the sum over n of the f64 per-plane sums at byte address `at` (`per` values a plane,
   * the j-th), in order of n, divided by `div`.
   */
  const perChannel = ({ N, C }: NormDims, at: number, per: number, j: number, out: Float64Array, div = 1) => {
    const sums = new Float64Array(arena.f32.buffer, at, N * C * per);
    out.fill(0);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) out[c] += sums[(n * C + c) * per + j];
    for (let c = 0; c < C; c++) out[c] /= div;
  };
  const F = (s: Storage) => s as Float32Array;
  return {
    batchNormStats(d: NormDims, x: Storage, mean: Float64Array, variance: Float64Array): void {
      if (!worth(x)) return ref.batchNormStats(d, x, mean, variance);
      const parts = begin(d);
      const M = d.N * d.S;
      const [px, ps] = [arena.put(F(x), 0, x.length), arena.alloc(2 * d.N * d.C)];
      planes("batchNormPlaneSums", parts, [px, ps, d.S]);
      perChannel(d, ps, 1, 0, mean, M);
      planes("batchNormPlaneSquares", parts, [px, f64s(mean), ps, d.C, d.S]);
      perChannel(d, ps, 1, 0, variance, M);
    },
    batchNormForward(d: NormDims, x: Storage, mean: Float64Array, scale: Float64Array, shift: Float64Array, y: Storage, act?: Activation): void {
      if (!worth(x, y)) return ref.batchNormForward(d, x, mean, scale, shift, y, act);
      const parts = begin(d);
      const px = arena.put(F(x), 0, x.length);
      const py = x === y ? arena.over(F(y), px, y.length) : arena.output(F(y), 0, y.length);
      // NOTE: y is long enough (worth) for activationCode to give act's code.
      planes("batchNormForward", parts, [px, f32s(mean), f32s(scale), f32s(shift), py, d.C, d.S], [activationCode(act, y.length)]);
      arena.get(py, y.length, F(y), 0);
    },
    batchNormBackwardSums(d: NormDims, x: Storage, dy: Storage, mean: Float64Array, sumDy: Float64Array, sumDyXmu: Float64Array): void {
      if (!worth(x, dy)) return ref.batchNormBackwardSums(d, x, dy, mean, sumDy, sumDyXmu);
      const parts = begin(d);
      const [px, pd, ps] = [arena.put(F(x), 0, x.length), arena.put(F(dy), 0, dy.length), arena.alloc(4 * d.N * d.C)];
      planes("batchNormPlaneDySums", parts, [px, pd, f64s(mean), ps, d.C, d.S]);
      perChannel(d, ps, 2, 0, sumDy);
      perChannel(d, ps, 2, 1, sumDyXmu);
    },
    batchNormBackwardInput(d: NormDims, x: Storage, dy: Storage, mean: Float64Array, a: Float64Array, b: Float64Array, k: Float64Array, dx: Storage): void {
      if (!worth(x, dy, dx)) return ref.batchNormBackwardInput(d, x, dy, mean, a, b, k, dx);
      const parts = begin(d);
      const [px, pd] = [arena.put(F(x), 0, x.length), arena.put(F(dy), 0, dy.length)];
      const po = arena.output(F(dx), 0, dx.length);
      planes("batchNormBackwardInput", parts, [px, pd, f32s(mean), f32s(a), f32s(b), f32s(k), po, d.C, d.S]);
      arena.get(po, dx.length, F(dx), 0);
    },
  };
}
