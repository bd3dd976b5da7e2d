// A node of the dynamic graph: the op that made a tensor, its inputs, and one lazy backward
// function per input. A backward function gets the gradient of the op's output (same shape
// as the output) and returns the gradient of its input (same shape as that input); it is
// called only when that input needs a gradient, so the image's gradient is never computed.

import type { Storage } from "../core/dtype.js";
import { recycleIfUnchanged } from "../core/pool.js";
import type { Tensor } from "../tensor.js";

export type BackwardFn = (dy: Storage) => Storage;

export class Node {
  released = false;
  /**
   * The engine's bookkeeping (autograd/backward.ts): the number of the backward pass that last
   * reached this node, and the index that pass gave the node's output.
   */
  pass = 0;
  slot = 0;
  /**
   * Arrays dead once this node has run its backward (autograd/private.ts), each with its pool
   * stamp; given back to the storage pool by release().
   */
  private dead: Storage[] | null = null;
  private stamps: number[] | null = null;

  constructor(
    readonly op: string,
    public inputs: Tensor[],
    public backwards: (BackwardFn | null)[],
  ) {}

  /** Drops saved tensors and closures so the graph's memory goes with it. */
  release(): void {
    this.released = true;
    this.inputs = NONE;
    this.backwards = NONE;
    if (this.dead !== null) {
      for (let i = 0; i < this.dead.length; i++) recycleIfUnchanged(this.dead[i], this.stamps![i]);
      this.dead = this.stamps = null;
    }
  }

  /** Gives `a` back to the storage pool at release() if the pool's `stamp` for it still holds then. */
  recycleAtRelease(a: Storage, stamp: number): void {
    (this.dead ??= []).push(a);
    (this.stamps ??= []).push(stamp);
  }
}

/** What a released node holds: one shared empty list, not two new ones per node and step. */
const NONE: never[] = Object.freeze([]) as never[];
