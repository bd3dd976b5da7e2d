// The training-step loop several tests share: zeroGrad, cross-entropy of the model's output,
// backward, step; returns each step's loss.

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

export function crossEntropySteps(model: { forward(x: Tensor): Tensor }, opt: { zeroGrad(): void; step(): void }, x: Tensor, targets: Tensor, steps: number): number[] {
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = torch.F.crossEntropy(model.forward(x), targets);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return losses;
}
