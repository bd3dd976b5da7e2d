// tanh, sigmoid, ReLU and the same-shape add through the WebAssembly module (tanh forward: a SIMD
// rational approximation within 4 float32 ulp; sigmoid forward: a SIMD exp within 2 ulp, then one
// division; the backwards, ReLU and add: bit-identical to the references); float64 goes to the references. Threads take blocks of the values.

import type { Storage } from "../../../core/dtype.js";
import * as ref from "../../ref/elementwise.js";
import type { Activation } from "../../ref/elementwise.js";
import { activationCode } from "./activation.js";
import { lightParts, ranges, type WasmContext } from "../runtime/context.js";

/** Below this many values the copies cost more than the JavaScript loop. */
export const MIN_WASM = 64;
/** Values per thread below which another thread costs more than it saves. */
export const VALUES_PER_THREAD = 1 << 16;

/** Float32 and long enough for the copies to pay (else a wrapper calls the reference). */
export function worth(...xs: Storage[]): boolean {
  return xs.every((s) => s instanceof Float32Array) && xs[0].length >= MIN_WASM;
}

export function makeElementwiseKernels(ctx: WasmContext) {
  const { arena } = ctx;
  /**
   * Copies `inputs` in, runs `fn` over blocks of 4-aligned ranges (`after`: its arguments after
   * the length), copies the output out.
   */
  const map = (fn: "tanhForward" | "tanhBackward" | "sigmoidForward" | "sigmoidBackward" | "reluForward" | "reluBackward" | "addForward", inputs: Float32Array[], out: Float32Array, after: number[] = []) => {
    const n = out.length;
    const threads = ctx.threads(n, VALUES_PER_THREAD);
    arena.reset();
    const ptrs = inputs.map((a) => arena.put(a, 0, n));
    // The output may be one of the inputs (a private activation's gradient written over it:
    // ops/fused.ts): then the kernel writes over what it reads, index by index.
    const same = inputs.indexOf(out);
    ptrs.push(same >= 0 ? arena.over(out, ptrs[same], n) : arena.output(out, 0, n));
    ctx.run(fn, ranges(n, lightParts(threads), 4).map(([i0, i1]) => [...ptrs.map((p) => p + 4 * i0), i1 - i0, ...after]));
    arena.get(ptrs[ptrs.length - 1], n, out, 0);
  };
  const F = (s: Storage) => s as Float32Array;
  return {
    tanhForward(x: Storage, y: Storage): void {
      if (!worth(x, y)) return ref.tanhForward(x, y);
      map("tanhForward", [F(x)], F(y));
    },
    tanhBackward(y: Storage, dy: Storage, dx: Storage): void {
      if (!worth(y, dy, dx)) return ref.tanhBackward(y, dy, dx);
      map("tanhBackward", [F(y), F(dy)], F(dx));
    },
    sigmoidForward(x: Storage, y: Storage): void {
      if (!worth(x, y)) return ref.sigmoidForward(x, y);
      map("sigmoidForward", [F(x)], F(y));
    },
    sigmoidBackward(y: Storage, dy: Storage, dx: Storage): void {
      if (!worth(y, dy, dx)) return ref.sigmoidBackward(y, dy, dx);
      map("sigmoidBackward", [F(y), F(dy)], F(dx));
    },
    reluForward(x: Storage, y: Storage): void {
      if (!worth(x, y)) return ref.reluForward(x, y);
      map("reluForward", [F(x)], F(y));
    },
    reluBackward(x: Storage, dy: Storage, dx: Storage): void {
      if (!worth(x, dy, dx)) return ref.reluBackward(x, dy, dx);
      map("reluBackward", [F(x), F(dy)], F(dx));
    },
    addForward(a: Storage, b: Storage, y: Storage, act?: Activation): void {
      if (!worth(a, b, y)) return ref.addForward(a, b, y, act);
      map("addForward", [F(a), F(b)], F(y), [activationCode(act, y.length)]);
    },
  };
}
