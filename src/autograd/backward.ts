// Reverse-mode differentiation over the recorded graph: a topological order from the root,
// gradients summed per tensor, leaves' .grad accumulated, nodes released after use.

import { alloc, dtypeOf, trackAllocations, type Storage } from "../core/dtype.js";
import { recycle } from "../core/pool.js";
import { sameShape, shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";
import type { Node } from "./node.js";

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

  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Storage>([[root, seed]]);
  // Gradient arrays allocated during this backward: once consumed they are dead (nothing outside
  // the engine ever sees them), so the large ones go back to the storage pool (core/pool.ts), and
  // a leaf's first .grad can be one of them instead of a copy.
  // NOTE: identity, not .buffer, tells arrays apart: reading .buffer of a small typed array makes
  // V8 move it off its heap (microseconds, which doubled a batch-1 logistic-regression step).
  const temporaries = new Set<Storage>();
  const held = new Set<Storage>([seed]); // the arrays in grads: each is summed into in place
  trackAllocations(temporaries, () =>
    noGrad(() => {
      for (const t of order) {
        const dy = grads.get(t);
        grads.delete(t);
        const node = t.gradFn;
        if (dy === undefined) continue;
        held.delete(dy);
        if (node === null) {
          accumulateLeaf(t, dy, temporaries);
          if (temporaries.delete(dy)) recycle(dy);
          continue;
        }
        if (node.released) {
          throw new Error(
            `backward: trying to backward through the graph a second time (through ${node.op}); pass { retainGraph: true } to the first backward`,
          );
        }
        let handedOn = false; // dy itself went on to an input (a reshape's gradient): it lives on
        node.inputs.forEach((input, i) => {
          const fn = node.backwards[i];
          if (!input.requiresGrad || fn === null) return;
          const dx = fn(dy);
          const prev = grads.get(input);
          if (prev === undefined) {
            let kept = dx;
            if (dx === dy) {
              // dy may go on uncopied when it is the engine's own and nothing of this node sums into it.
              const alone = node.inputs.indexOf(input) === node.inputs.lastIndexOf(input);
              if (!handedOn && alone && temporaries.has(dy)) handedOn = true;
              else kept = dx.slice();
            } else if (held.has(dx)) kept = dx.slice();
            held.add(kept);
            grads.set(input, kept);
          } else {
            for (let k = 0; k < prev.length; k++) prev[k] += dx[k];
            // Not dy (this node's other inputs still read it), not an array still held in grads.
            if (dx !== dy && !held.has(dx) && temporaries.delete(dx)) recycle(dx);
          }
        });
        if (!handedOn && temporaries.delete(dy)) recycle(dy);
        if (!options.retainGraph) node.release();
      }
    }),
  );
}

/**
 * `temporaries`: the engine's recyclable arrays; a new .grad is not one of them. A first .grad
 * takes dy itself when dy is one of them (dy is consumed here), else a copy.
 */
function accumulateLeaf(t: Tensor, dy: Storage, temporaries: Set<Storage>): void {
  if (t.grad === null && dtypeOf(dy) === t.dtype && temporaries.delete(dy)) {
    t.grad = new Tensor(dy, [...t.shape]);
  } else if (t.grad === null) {
    const g = alloc(t.dtype, dy.length);
    temporaries.delete(g);
    g.set(dy);
    t.grad = new Tensor(g, [...t.shape]);
  } else {
    const g = t.grad.data;
    for (let k = 0; k < g.length; k++) g[k] += dy[k];
  }
}

/** Tensors reachable from root through nodes, root first, each after all its consumers. */
function topologicalOrder(root: Tensor): Tensor[] {
  const visited = new Set<Tensor>();
  const post: Tensor[] = [];
  // Iterative DFS: LeNet-sized graphs are shallow, but a long unrolled graph must not overflow.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const node: Node | null = t.gradFn;
    const inputs = node === null ? [] : node.inputs;
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      post.push(t);
    }
  }
  return post.reverse();
}
