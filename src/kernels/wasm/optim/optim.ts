// The optimizers' updates through the WebAssembly module, bit for bit as the references (each
// value computed in float64 and rounded once: test/kernels/wasm/optim/optim.test.ts); float64 and
// short parameters go to the references. Parameters and their state live in the module's memory
// (resident arrays), so a step reads and writes them in place; threads take blocks of the values.

import type { Storage } from "../../../core/dtype.js";
import * as ref from "../../ref/optim.js";
import type { AdamHyper, SgdHyper } from "../../ref/optim.js";
import { worth, VALUES_PER_THREAD } from "../elementwise/elementwise.js";
import { lightParts, ranges, type WasmContext } from "../runtime/context.js";

/**
 * Below these lengths the references run: a call's staging (the gradient is a JS array) and its
 * overhead cost more than SGD's few float64 operations a value save; Adam's square root and two
 * divisions a value pay from a thousand values.
 */
export const MIN_WASM_SGD = 1 << 16;
export const MIN_WASM_ADAM = 1 << 10;

export function makeOptimKernels(ctx: WasmContext) {
  const { arena } = ctx;
  /**
   * Places w (read and written), g (read), the state arrays (read and written) and the
   * hyperparameters; runs over blocks. SGD without momentum has no buffer: w's address stands in for it (never read).
   */
  const run = (fn: "sgdUpdate" | "adamUpdate", w: Float32Array, g: Float32Array, state: Float32Array[], hyper: number[]) => {
    const n = w.length;
    const threads = ctx.threads(n, VALUES_PER_THREAD);
    arena.reset();
    // The hyperparameters as float64 values in memory: a part's arguments travel as integers.
    const ph = arena.alloc(2 * hyper.length);
    new Float64Array(arena.f32.buffer, ph, hyper.length).set(hyper);
    const pw = arena.inout(w, 0, n);
    const pg = arena.put(g, 0, n);
    const ps = state.map((s) => arena.inout(s, 0, n));
    const slots = fn === "sgdUpdate" && ps.length === 0 ? [pw] : ps;
    ctx.run(fn, ranges(n, lightParts(threads), 4).map(([i0, i1]) => [pw + 4 * i0, pg + 4 * i0, ...slots.map((p) => p + 4 * i0), i1 - i0, ph]));
    arena.get(pw, n, w, 0);
    state.forEach((s, k) => arena.get(ps[k], n, s, 0));
  };
  const F = (s: Storage) => s as Float32Array;
  return {
    sgdUpdate(w: Storage, g: Storage, buf: Storage | null, h: SgdHyper): void {
      if (w.length < MIN_WASM_SGD || !worth(w, g, ...(buf ? [buf] : []))) return ref.sgdUpdate(w, g, buf, h);
      const state = h.momentum !== 0 ? [F(buf!)] : [];
      run("sgdUpdate", F(w), F(g), state, [h.lr, h.momentum, h.dampening, h.nesterov ? 1 : 0, h.weightDecay, h.first ? 1 : 0]);
    },
    adamUpdate(w: Storage, g: Storage, m: Storage, v: Storage, h: AdamHyper): void {
      if (w.length < MIN_WASM_ADAM || !worth(w, g, m, v)) return ref.adamUpdate(w, g, m, v, h);
      run("adamUpdate", F(w), F(g), [F(m), F(v)], [h.stepSize, h.b1, h.b2, h.eps, h.bc2Sqrt, h.weightDecay]);
    },
  };
}
