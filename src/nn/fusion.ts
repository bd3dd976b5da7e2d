// Activation fusion, in one place: a layer followed by its activation (Conv2d -> Tanh, Linear ->
// ReLU, BatchNorm2d -> ReLU, ...) runs as one op whose output the activation overwrites in place
// (ops/fused.ts): the same values and gradients, one array and one pass less. `chain(x, steps)`
// runs modules in order and fuses where it may; nn.Sequential's forward is chain(x, this), and a
// model that writes its forward by hand lists its layers to chain (models/lenet5.ts).
//   - A layer opts in with one method, `forwardActivated` (Fusable). It is used only while the
//     instance runs the forward written next to it (no `forward` patched onto the instance, as
//     captureActivations does, and none replaced by a subclass): else its output might be a
//     tensor someone else holds.
//   - An activation module says which activation it is with `fusedAs()` (same rule).
//   - A module whose forward reads its input only while computing a fresh output and in its own
//     backward is a "private consumer" (registerPrivateConsumer): an output only such a module
//     reads may lend its array to the gradient (ops/fused.ts privateOutput), and goes back to the
//     storage pool once that reader is done with it (autograd/private.ts).

import { consumed, markPrivate } from "../autograd/private.js";
import type { FusedActivation } from "../ops/fused.js";
import { relu, sigmoid, tanh } from "../ops/elementwise.js";
import { reshape } from "../ops/shape.js";
import type { Tensor } from "../tensor.js";
import type { Module } from "./module.js";

export type { FusedActivation };

/** Each fusable activation as a plain op, for the unfused path. */
const ACTIVATION_OPS: Record<FusedActivation, (x: Tensor) => Tensor> = { tanh, relu, sigmoid };

/** A layer that can apply the activation after it to its own fresh output. */
export interface Fusable {
  /** act(forward(x)), activated in place; privateOutput: see ops/fused.ts activateInPlace. */
  forwardActivated(x: Tensor, act: FusedActivation, privateOutput: boolean): Tensor;
}

/** An activation module that a Fusable layer before it can take over. */
export interface FusableActivation {
  fusedAs(): FusedActivation;
}

/** A container that runs its children with chain and can be told its output is private (nn.Sequential). */
export interface Chain {
  forwardChain(x: Tensor, outputPrivate: boolean): Tensor;
}

/**
 * Whether m runs the forward written next to `method` in its class: not patched onto the
 * instance, not replaced by a subclass that did not also write its own `method`.
 */
function runsOwnForward(m: Module, method: string): boolean {
  if (Object.prototype.hasOwnProperty.call(m, "forward")) return false;
  let owner = Object.getPrototypeOf(m) as Module | null;
  while (owner !== null && !Object.prototype.hasOwnProperty.call(owner, method)) owner = Object.getPrototypeOf(owner) as Module | null;
  return owner !== null && owner.forward === m.forward;
}

/** The activation m is, when a layer before it may apply it in place. */
export function fusableActivation(m: Module): FusedActivation | null {
  return "fusedAs" in m && runsOwnForward(m, "fusedAs") ? (m as unknown as FusableActivation).fusedAs() : null;
}

/** act(layer.forward(x)) fused, or null where layer cannot take it (not Fusable, or patched). */
export function forwardFused(layer: Module, x: Tensor, act: FusedActivation, privateOutput: boolean): Tensor | null {
  return "forwardActivated" in layer && runsOwnForward(layer, "forwardActivated") ? (layer as unknown as Fusable).forwardActivated(x, act, privateOutput) : null;
}

/** act(layer.forward(x)): fused where the layer can take it, else the two one after the other. */
export function forwardThen(layer: Module, x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
  return forwardFused(layer, x, act, privateOutput) ?? ACTIVATION_OPS[act](layer.forward(x));
}

const privateConsumers = new Map<object, ((m: Module) => boolean) | null>();

/**
 * Declares the instances of exactly `cls` (not subclasses) private consumers; `also`: a further
 * test of the instance (a module that reads its input through a child, or a container).
 */
export function registerPrivateConsumer(cls: object, also: ((m: Module) => boolean) | null = null): void {
  privateConsumers.set(cls, also);
}

export function consumesPrivately(m: Module): boolean {
  const also = privateConsumers.get(Object.getPrototypeOf(m));
  return also !== undefined && !Object.prototype.hasOwnProperty.call(m, "forward") && (also === null || also(m));
}

/**
 * For a block whose forward reads its input only through its children (and ops that keep nothing
 * of it): then it reads it as a library layer does, unless a child's forward is patched.
 */
export function childrenUnpatched(m: Module): boolean {
  for (const c of m.modules()) if (Object.prototype.hasOwnProperty.call(c, "forward")) return false;
  return true;
}

const isChain = (m: Module): boolean => "forwardChain" in m && runsOwnForward(m, "forwardChain");

/** m.forward(x), telling a Chain whether its output is private. */
function forwardInto(m: Module, x: Tensor, outputPrivate: boolean): Tensor {
  return outputPrivate && isChain(m) ? (m as unknown as Chain).forwardChain(x, true) : m.forward(x);
}

/** A reshape between two modules of a chain (LeNet-5's flatten before C5). */
export interface ViewStep {
  readonly viewAs: readonly number[];
}

/**
 * A chain step reshaping its input to `shape` (-1: inferred). Its output is a view of its input,
 * read by the next module only: its input is as private as that module makes it.
 */
export function viewAs(shape: readonly number[]): ViewStep {
  return { viewAs: shape };
}

export type ChainStep = Module | ViewStep;

const isView = (s: ChainStep): s is ViewStep => "viewAs" in s;

/**
 * Runs `steps` in order on x. A Fusable layer followed by a fusable activation runs fused with
 * it. Outputs passed from one step to the next are private when the next consumes privately;
 * the last one is private only when the caller says so (`outputPrivate`). A private output of a
 * private consumer (a fresh array no one else holds) is marked so (autograd/private.ts): its
 * memory goes back to the pool once its reader is done with it.
 */
export function chain(x: Tensor, steps: ArrayLike<ChainStep>, outputPrivate = false): Tensor {
  // Whether the output read by step k (past the end: the caller) stays private.
  const readBy = (k: number): boolean => {
    if (k >= steps.length) return outputPrivate;
    const s = steps[k];
    return isView(s) ? readBy(k + 1) : consumesPrivately(s);
  };
  let pending: Tensor | null = null; // this chain's private result, read by the next module
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (isView(s)) {
      x = reshape(x, s.viewAs);
      continue;
    }
    const input = pending;
    const next = i + 1 < steps.length ? steps[i + 1] : null;
    const act = next !== null && !isView(next) ? fusableActivation(next) : null;
    const fused = act ? forwardFused(s, x, act, readBy(i + 2)) : null;
    let result: Tensor;
    if (fused) {
      x = result = fused;
      i++;
      // With a graph the fusion gives a private result back itself (ops/fused.ts): never both.
      if (x.gradFn === null && readBy(i + 1)) markPrivate(x);
    } else {
      x = result = forwardInto(s, x, readBy(i + 1));
      // A Chain marks its own last result (forwardInto told it whether it is private).
      if (readBy(i + 1) && !isChain(s) && consumesPrivately(s)) markPrivate(x);
    }
    if (input !== null) consumed(input, x);
    pending = i + 1 < steps.length && readBy(i + 1) ? result : null;
  }
  return x;
}
