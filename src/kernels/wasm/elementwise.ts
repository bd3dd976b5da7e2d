// tanh through the WebAssembly module (forward: a SIMD rational approximation within 4 float32
// ulp; backward: the reference's float64 arithmetic, bit-identical); float64 goes to the
// references. Threads take blocks of the values.

import type { Storage } from "../../core/dtype.js";
import { tanhBackward as refTanhBackward, tanhForward as refTanh } from "../ref/elementwise.js";
import { partCount, ranges, type WasmContext } from "./context.js";

/** Below this many values the copies cost more than the JavaScript loop. */
const MIN_WASM = 64;
/** Values per thread below which another thread costs more than it saves. */
const VALUES_PER_THREAD = 1 << 16;

export function makeElementwiseKernels(ctx: WasmContext) {
  const { arena } = ctx;
  /** Copies `inputs` in, runs `fn` over blocks of 4-aligned ranges, copies the output out. */
  const map = (fn: "tanhForward" | "tanhBackward", inputs: Float32Array[], out: Float32Array) => {
    const n = out.length;
    const threads = ctx.threads(n, VALUES_PER_THREAD);
    arena.reset();
    const ptrs = [...inputs.map((a) => arena.put(a, 0, n)), arena.alloc(n)];
    ctx.run(fn, ranges(n, partCount(threads, n, VALUES_PER_THREAD / 4), 4).map(([i0, i1]) => [...ptrs.map((p) => p + 4 * i0), i1 - i0]));
    arena.get(ptrs[ptrs.length - 1], n, out, 0);
  };
  return {
    tanhForward(x: Storage, y: Storage): void {
      if (!(x instanceof Float32Array && y instanceof Float32Array) || x.length < MIN_WASM) return refTanh(x, y);
      map("tanhForward", [x], y);
    },
    tanhBackward(y: Storage, dy: Storage, dx: Storage): void {
      if (!(y instanceof Float32Array && dy instanceof Float32Array && dx instanceof Float32Array) || y.length < MIN_WASM) return refTanhBackward(y, dy, dx);
      map("tanhBackward", [y, dy], dx);
    },
  };
}
