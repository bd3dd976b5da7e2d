// Containers: Sequential runs its children in order; ModuleList only holds them.
// Children are stored under the keys "0", "1", ... so names match PyTorch's.

import type { Tensor } from "../tensor.js";
import { chain, consumesPrivately, registerPrivateConsumer, type Chain } from "./fusion.js";
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
