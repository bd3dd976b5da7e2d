// Containers: Sequential runs its children in order; ModuleList only holds them.
// Children are stored under the keys "0", "1", ... so names match PyTorch's.

import type { Tensor } from "../tensor.js";
import { consumesPrivately, fusableActivation, isExactly, type FusesActivation } from "./layers.js";
import { Module } from "./module.js";

/**
 * Holds modules under the names "0", "1", ... (torch.nn.ModuleList); index it, iterate over it; it has no forward.
 * @example
 * const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
 * list.length // => 2
 * Object.keys(list.stateDict()) // => ["0.weight", "0.bias", "1.weight", "1.bias"]
 */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;
  length = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  /** Appends a module (named by its index); returns this. */
  push(m: M): this {
    this[this.length++] = m;
    return this;
  }

  /** The modules in order. */
  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }

  forward(..._inputs: Tensor[]): Tensor {
    throw new Error("ModuleList: a ModuleList has no forward; iterate over its modules instead");
  }
}

/**
 * Runs its modules in order, each output the next one's input (torch.nn.Sequential).
 * @example
 * const net = new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.Flatten(), new nn.LazyLinear(10));
 * net.forward(torch.zeros([2, 1, 28, 28])) // shape [2, 10]
 */
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
    // Whether the output read by child k (past the end: the caller) stays private.
    const readBy = (k: number) => (k < this.length ? consumesPrivatelyDeep(this[k]) : outputPrivate);
    for (let i = 0; i < this.length; i++) {
      const act = i + 1 < this.length ? fusableActivation(this[i + 1]) : null;
      const fused = act && "forwardActivated" in this[i] ? (this[i] as unknown as FusesActivation).forwardActivated(x, act, readBy(i + 2)) : null;
      if (fused) {
        x = fused;
        i++;
      } else x = forwardInto(this[i], x, readBy(i + 1));
    }
    return x;
  }
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
