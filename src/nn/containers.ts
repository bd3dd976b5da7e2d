// Containers: Sequential runs its children in order; ModuleList only holds them.
// Children are stored under the keys "0", "1", ... so names match PyTorch's.

import type { Tensor } from "../tensor.js";
import { chain, consumesPrivately, registerPrivateConsumer, type Chain } from "./fusion.js";
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

export class Sequential extends ModuleList implements Chain {
  constructor(...modules: Module[]) {
    super(modules);
  }

  /**
   * Runs the children in order. A Tanh, ReLU or Sigmoid right after a layer that can take it in place
   * (Conv2d, Linear, pooling, batch norm) runs fused with it: same values and gradients, one array
   * less per pair (nn/fusion.ts).
   */
  override forward(x: Tensor): Tensor {
    return chain(x, this);
  }

  /** forward, told whether its output is private (reaches only library layers: nn/fusion.ts). */
  forwardChain(x: Tensor, outputPrivate: boolean): Tensor {
    return chain(x, this, outputPrivate);
  }
}

// A Sequential reads its input as its first child does.
registerPrivateConsumer(Sequential.prototype, (s) => (s as Sequential).length > 0 && consumesPrivately((s as Sequential)[0]));
