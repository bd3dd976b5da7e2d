// An activation fused onto the op that produced its input (nn.Sequential's Conv2d -> Tanh,
// Linear -> ReLU, ...): act(z) overwrites z's own storage, and the op's graph node learns the
// activation's derivative, instead of a second array and a second node.
// NOTE: why: in a training step every activation's input is a large array that dies at the end
// of the step, and fresh large arrays are expensive here (each 4 KiB page faults on first touch:
// ~1 ms for LeNet-5's 1.9 MB C1 output, against ~0.1 ms to compute its tanh). Only a caller that
// knows z is a fresh op result nobody else holds may use this (see nn/fusion.ts).

import { backwardRetainsGraph } from "../autograd/backward.js";
import { recycle } from "../core/pool.js";
import { alloc, type Storage } from "../core/dtype.js";
import { kernels } from "../kernels/index.js";
import { ACTIVATIONS, type Activation } from "../kernels/ref/elementwise.js";
import type { Node } from "../autograd/node.js";
import type { Tensor } from "../tensor.js";

export type FusedActivation = Activation;

/**
 * The activation fused onto each node's output: the node's op name alone no longer says what its
 * output holds, and ONNX export (onnx/trace.ts) must write the activation as its own node.
 */
const fusedActivations = new WeakMap<Node, FusedActivation>();

export function fusedActivationOf(node: Node): FusedActivation | undefined {
  return fusedActivations.get(node);
}

/**
 * z, activated in place: the same bits as tanh(z) / relu(z) (the same kernels), and the same
 * gradients. z must be an op's fresh output that no one else has seen.
 * `privateOutput`: the caller also promises that the result reaches only library layers that
 * read it during their own backward (nn/fusion.ts chain): then, unless the graph is
 * retained, the backward writes dz over the result's own array and gives that to the storage
 * pool afterwards, so the activation's memory is reused instead of left to the GC.
 * NOTE: that matters because arrays left to the GC come back as fresh memory, which page-faults:
 * in a LeNet-5 step (batch 100) the four private activations are 3 MB, ~1-2 ms of faults.
 */
export function activateInPlace(z: Tensor, act: FusedActivation, privateOutput = false): Tensor {
  const y = z.data;
  kernels[ACTIVATIONS[act].forward](y, y);
  return fuseActivation(z, act, privateOutput);
}

/**
 * The graph half of activateInPlace, for z whose kernel already applied act (the convolution's
 * and pooling's forward kernels take an activation: no second pass over the output).
 */
export function fuseActivation(z: Tensor, act: FusedActivation, privateOutput = false): Tensor {
  const y = z.data;
  const node = z.gradFn;
  if (node === null) return z;
  fusedActivations.set(node, act);
  const inner = node.backwards;
  // The engine (autograd/backward.ts) calls the node's functions one after another with the same
  // dy, once per input that requires a gradient: dz = act'(y) dy is made at the first call of a
  // backward and given back to the storage pool after the last (unless an input's gradient is dz
  // itself, which then belongs to the engine).
  let forDy: Storage | null = null;
  let dz: Storage = y;
  let pending = 0;
  let handedOut = false;
  node.backwards = inner.map(
    (fn) =>
      fn &&
      ((dy: Storage) => {
        if (dy !== forDy || pending === 0) {
          // Every consumer of the result ran its backward before this node: y is read here last.
          dz = privateOutput && !backwardRetainsGraph() ? y : alloc(z.dtype, y.length);
          // from the output (ReLU's: y > 0 exactly where the input was > 0)
          kernels[ACTIVATIONS[act].backward](y, dy, dz);
          forDy = dy;
          pending = node.inputs.filter((t, i) => t.requiresGrad && inner[i] !== null).length;
          handedOut = false;
        }
        const dx = fn(dz);
        if (dx === dz) handedOut = true;
        if (--pending === 0) {
          if (!handedOut) recycle(dz);
          forDy = null;
        }
        return dx;
      }),
  );
  return z;
}
