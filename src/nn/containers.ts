// Containers: Sequential runs its children in order; ModuleList only holds them.
// Children are stored under the keys "0", "1", ... so names match PyTorch's.

import { consumed, markPrivate } from "../autograd/private.js";
import type { Tensor } from "../tensor.js";
import { consumesPrivately, fusableActivation, isExactly, type FusesActivation } from "./layers.js";
import { Module } from "./module.js";

export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;
  length = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this[this.length++] = m;
    return this;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }

  forward(..._inputs: Tensor[]): Tensor {
    throw new Error("ModuleList: a ModuleList has no forward; iterate over its modules instead");
  }
}

export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }

  /**
   * Runs the children in order. A Tanh, ReLU or Sigmoid right after a layer that can take it in place
   * (Conv2d, Linear, pooling: nn/layers.ts FusesActivation) runs fused with it: same values and
   * gradients, one array less per pair (ops/fused.ts).
   */
  override forward(x: Tensor): Tensor {
    return this.forwardChain(x, false);
  }

  /**
   * forward, told whether its output is private (reaches only library layers: see
   * ops/fused.ts). Outputs passed from one child to the next are private when the next child
   * consumes privately (nn/layers.ts consumesPrivately, or a Sequential whose first child does).
   */
  forwardChain(x: Tensor, outputPrivate: boolean): Tensor {
    return forwardChain(this, x, outputPrivate);
  }
}

/**
 * Runs `modules` in order, as Sequential.forward does, on x; `outputPrivate`: whether the result
 * reaches only library layers (see ops/fused.ts). A Tanh, ReLU or Sigmoid after a layer that can
 * take it runs fused with it (nn/layers.ts FusesActivation). A library layer's result that only
 * the next library layer reads is private (autograd/private.ts): its memory goes back to the pool
 * once that reader is done with it.
 */
export function forwardChain(modules: ArrayLike<Module>, x: Tensor, outputPrivate: boolean): Tensor {
  const n = modules.length;
  // Whether the output read by module k (past the end: the caller) stays private.
  const readBy = (k: number) => (k < n ? consumesPrivatelyDeep(modules[k]) : outputPrivate);
  let inputPrivate = false; // x is a private result of this chain's: its reader, run next, gives it back
  for (let i = 0; i < n; i++) {
    const m = modules[i];
    const input = x;
    const act = i + 1 < n ? fusableActivation(modules[i + 1]) : null;
    const fused = act && "forwardActivated" in m ? (m as unknown as FusesActivation).forwardActivated(x, act, readBy(i + 2)) : null;
    if (fused) {
      x = fused;
      i++;
      // With a graph the fusion recycles its private result itself (ops/fused.ts): never both.
      if (x.gradFn === null && readBy(i + 1)) markPrivate(x);
    } else {
      x = forwardInto(m, x, readBy(i + 1));
      // An exact Sequential marks its own last result (forwardInto told it whether it is private).
      if (readBy(i + 1) && !isExactly(m, Sequential.prototype) && consumesPrivately(m)) markPrivate(x);
    }
    if (inputPrivate) consumed(input, x);
    inputPrivate = i + 1 < n && readBy(i + 1);
  }
  return x;
}

/** Whether m only reads its input as a library layer does (a Sequential: as its first child). */
export function consumesPrivatelyDeep(m: Module): boolean {
  if (isExactly(m, Sequential.prototype)) {
    const s = m as Sequential;
    return s.length > 0 && consumesPrivatelyDeep(s[0]);
  }
  return consumesPrivately(m);
}

/** m.forward(x), telling an exact Sequential whether its output is private. */
export function forwardInto(m: Module, x: Tensor, outputPrivate: boolean): Tensor {
  return outputPrivate && isExactly(m, Sequential.prototype) ? (m as Sequential).forwardChain(x, true) : m.forward(x);
}
