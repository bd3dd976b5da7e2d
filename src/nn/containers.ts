// Containers: Sequential runs its children in order; ModuleList only holds them.
// Children are stored under the keys "0", "1", ... so names match PyTorch's.

import type { Tensor } from "../tensor.js";
import { fusableActivation, type FusesActivation } from "./layers.js";
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
   * Runs the children in order. A Tanh or ReLU right after a layer that can take it in place
   * (Conv2d, Linear, pooling: nn/layers.ts FusesActivation) runs fused with it: same values and
   * gradients, one array less per pair (ops/fused.ts).
   */
  override forward(x: Tensor): Tensor {
    for (let i = 0; i < this.length; i++) {
      const act = i + 1 < this.length ? fusableActivation(this[i + 1]) : null;
      const fused = act && "forwardActivated" in this[i] ? (this[i] as unknown as FusesActivation).forwardActivated(x, act) : null;
      if (fused) {
        x = fused;
        i++;
      } else x = this[i].forward(x);
    }
    return x;
  }
}
