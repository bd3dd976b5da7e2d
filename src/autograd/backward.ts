// Reverse-mode differentiation over the recorded graph: a topological order from the root,
// gradients summed per tensor, leaves' .grad accumulated, nodes released after use.

import { alloc, dtypeOf, setAllocationTracker, type Storage } from "../core/dtype.js";
import { fromSource, recycle } from "../core/pool.js";
import { sameShape, shapeStr } from "../core/shape.js";
import { kernels } from "../kernels/index.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, setGradEnabled } from "./grad-mode.js";

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. */
  retainGraph?: boolean;
}

export function runBackward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error("backward: element 0 of tensors does not require grad and does not have a grad_fn");
  }
  let seed: Storage;
  if (gradient === undefined) {
    if (root.numel !== 1) {
      throw new Error(`backward: grad can be implicitly created only for scalar outputs, got shape ${shapeStr(root.shape)}`);
    }
    seed = alloc(root.dtype, 1);
    seed[0] = 1;
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new RangeError(`backward: gradient has shape ${shapeStr(gradient.shape)}, expected ${shapeStr(root.shape)}`);
    }
    seed = gradient.data;
  }

  const pass = ++passes;
  const { tensors, order, leaves } = postOrder(root, pass);
  // grads[k]: the gradient summed so far for tensors[k], summed into in place.
  // owned[k]: grads[k] is the engine's own array, which nothing outside it sees (an array a
  // backward function allocated, or a copy): once consumed it is dead, so a large one goes back to
  // the storage pool (core/pool.ts), and a leaf's first .grad can be it instead of a copy.
  const grads = new Array<Storage | undefined>(tensors.length);
  const owned = new Array<boolean>(tensors.length).fill(false);
  grads[0] = seed;
  owned[0] = gradient === undefined;
  // What alloc() hands out during one backward function's call: its result is fresh (owned) when
  // listed here; anything else it returns besides dy might be another tensor's pending gradient.
  // NOTE: identity, not .buffer, tells arrays apart: reading .buffer of a small typed array makes
  // V8 move it off its heap (microseconds, which doubled a batch-1 logistic-regression step).
  const fresh: Storage[] = [];
  const outerTracker = setAllocationTracker(fresh);
  const outerMode = isGradEnabled();
  const outerRetaining = retaining;
  retaining = !!options.retainGraph;
  setGradEnabled(false);
  try {
    // Reverse post-order: the root first, each tensor after all its consumers.
    for (let m = order.length - 1; m >= 0; m--) {
      const k = order[m];
      const dy = grads[k];
      if (dy === undefined) continue;
      grads[k] = undefined;
      const own = owned[k];
      const t = tensors[k];
      const node = t.gradFn;
      if (node === null) {
        accumulateLeaf(t, dy, own);
        continue;
      }
      if (node.released) {
        throw new Error(
          `backward: trying to backward through the graph a second time (through ${node.op}); pass { retainGraph: true } to the first backward`,
        );
      }
      let handedOn = false; // dy itself went on to an input (a reshape's gradient): it lives on
      const { inputs, backwards } = node;
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        const fn = backwards[i];
        if (!input.requiresGrad || fn === null) continue;
        while (fresh.length > 0) fresh.pop(); // NOTE: not `length = 0`, a runtime call in V8
        const dx = fn(dy);
        const isFresh = fresh.includes(dx); // then dx !== dy, which existed before the call
        const j = (input.gradFn === null ? leaves.get(input) : input.gradFn.slot)!;
        const prev = grads[j];
        if (prev === undefined) {
          // dy may go on uncopied when it is the engine's own and nothing of this node sums into it.
          const alone = dx === dy && inputs.indexOf(input) === inputs.lastIndexOf(input);
          if (isFresh || (alone && own && !handedOn)) {
            grads[j] = dx;
            handedOn ||= dx === dy;
          } else grads[j] = copyOf(dx);
          owned[j] = true;
        } else {
          // A tensor with two consumers (a residual block's input): large arrays, added by the
          // backend's kernel (in place in WebAssembly memory, over threads) rather than a JS loop.
          kernels.addForward(prev, dx, prev);
          if (isFresh) recycle(dx);
        }
      }
      if (own && !handedOn) recycle(dy);
      if (!options.retainGraph) node.release();
    }
  } finally {
    retaining = outerRetaining;
    setGradEnabled(outerMode);
    setAllocationTracker(outerTracker);
  }
}

/** Whether the backward pass running now keeps its graph: a node's saved values will be read again. */
let retaining = false;
export function backwardRetainsGraph(): boolean {
  return retaining;
}

function copyOf(a: Storage): Storage {
  const c = alloc(dtypeOf(a), a.length);
  c.set(a);
  return c;
}

/**
 * A first .grad takes dy itself when the engine owns it (dy is consumed here), else a copy.
 * NOTE: never an array of the pool's source (the WebAssembly memory): a .grad outlives the step
 * in the user's hands, and optimizer.zeroGrad() drops it where no one can tell the library it is
 * dead, so its memory would never be reused (ResNet-18: 45 MB lost a step); a JS array goes to the GC.
 */
function accumulateLeaf(t: Tensor, dy: Storage, own: boolean): void {
  if (t.grad === null) {
    if (own && dtypeOf(dy) === t.dtype && !fromSource(dy)) {
      t.grad = new Tensor(dy, t.shape);
      return;
    }
    const g = fromSource(dy) ? (t.dtype === "float64" ? new Float64Array(dy.length) : new Float32Array(dy.length)) : alloc(t.dtype, dy.length);
    g.set(dy);
    t.grad = new Tensor(g, t.shape);
  } else {
    const g = t.grad.data;
    kernels.addForward(g, dy, g);
  }
  if (own) recycle(dy);
}

/** Numbers the backward passes, so that a Node's slot from an earlier pass reads as unvisited. */
let passes = 0;

/**
 * The tensors reachable from root through nodes (that need a gradient), root first, and their
 * indices in post-order: each tensor after all its inputs. A tensor's index is its node's slot,
 * or for a leaf, its entry in `leaves`.
 * NOTE: slots live on the nodes because a Map keyed by a step's new tensors costs ~50 ns per
 * entry (V8 creates each object's hash), a tenth of a batch-1 step's backward.
 */
function postOrder(root: Tensor, pass: number): { tensors: Tensor[]; order: number[]; leaves: Map<Tensor, number> } {
  const tensors: Tensor[] = [];
  const leaves = new Map<Tensor, number>();
  const order: number[] = [];
  enter(root, pass, tensors, leaves);
  // Iterative DFS (the path's tensors and, for each, the next input to visit): LeNet-sized graphs
  // are shallow, but a long unrolled graph must not overflow the call stack.
  const path = [0];
  const nextInput = [0];
  while (path.length > 0) {
    const top = path.length - 1;
    const k = path[top];
    const node = tensors[k].gradFn;
    const i = nextInput[top];
    if (node !== null && i < node.inputs.length) {
      nextInput[top] = i + 1;
      const input = node.inputs[i];
      if (input.requiresGrad && enter(input, pass, tensors, leaves)) {
        path.push(tensors.length - 1);
        nextInput.push(0);
      }
    } else {
      path.pop();
      nextInput.pop();
      order.push(k);
    }
  }
  return { tensors, order, leaves };
}

/** Gives t the next index unless this pass has seen it; says whether it was new. */
function enter(t: Tensor, pass: number, tensors: Tensor[], leaves: Map<Tensor, number>): boolean {
  const node = t.gradFn;
  if (node === null ? leaves.has(t) : node.pass === pass) return false;
  if (node === null) leaves.set(t, tensors.length);
  else {
    node.pass = pass;
    node.slot = tensors.length;
  }
  tensors.push(t);
  return true;
}
