// An activation applied to a result still staged in WebAssembly memory, before it is copied out
// (conv2dForward and the pooling forwards take one: see ops/fused.ts). The elementwise wrapper's
// own choice of kernel, so the values are those of the activation run on its own.

import { ACTIVATIONS, activate, type Activation } from "../../ref/elementwise.js";
import { lightParts, ranges, type WasmContext } from "../runtime/context.js";
import { MIN_WASM, VALUES_PER_THREAD } from "./elementwise.js";

/**
 * The code (../assembly/elementwise/elementwise.ts ACT_*) for a kernel that applies `act` to its n results
 * itself, in registers: 0 for none, and for short results, which the elementwise wrapper leaves
 * to the reference (so the values are the same either way).
 */
export function activationCode(act: Activation | undefined, n: number): number {
  return !act || n < MIN_WASM ? 0 : ACTIVATIONS[act].code;
}

/**
 * Copies n floats at byte address p out to y with act applied: in WebAssembly memory first, or
 * after the copy for short results (which the elementwise wrapper leaves to the reference).
 * Threads already started only: the arena is in use.
 */
export function activateAndGet(ctx: WasmContext, act: Activation | undefined, p: number, n: number, y: Float32Array): void {
  if (act && n >= MIN_WASM) {
    const threads = ctx.threadsNow(n, VALUES_PER_THREAD);
    ctx.run(ACTIVATIONS[act].forward, ranges(n, lightParts(threads), 4).map(([i0, i1]) => [p + 4 * i0, p + 4 * i0, i1 - i0]));
  }
  ctx.arena.get(p, n, y, 0);
  if (act && n < MIN_WASM) activate(y, act);
}
