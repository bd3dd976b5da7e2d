// The one place where ops attach themselves to the graph.

import type { Storage } from "../core/dtype.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";
import { Node, type BackwardFn } from "./node.js";

/**
 * Wraps an op's output storage in a Tensor and, when grad mode is on and any input requires
 * a gradient, records a Node. `backwards[i]` maps dy to d(input i); null marks an input that
 * is not differentiable (indices, targets).
 */
export function makeResult(
  op: string,
  data: Storage,
  shape: number[],
  inputs: Tensor[],
  backwards: (BackwardFn | null)[],
): Tensor {
  const out = new Tensor(data, shape);
  if (isGradEnabled() && needsGrad(inputs, backwards)) {
    out.requiresGrad = true;
    out.gradFn = new Node(op, inputs, backwards);
  }
  return out;
}

function needsGrad(inputs: Tensor[], backwards: (BackwardFn | null)[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad && backwards[i] !== null) return true;
  return false;
}
