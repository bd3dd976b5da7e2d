// The Inception block of GoogLeNet as d2l chapter 8.4 builds it: four parallel branches whose
// outputs are concatenated along channels; padding keeps every branch at the input's H x W.
//   b1: 1x1 conv c1
//   b2: 1x1 conv c2[0] -> 3x3 conv c2[1] (padding 1)
//   b3: 1x1 conv c3[0] -> 5x5 conv c3[1] (padding 2)
//   b4: 3x3 max pool (stride 1, padding 1) -> 1x1 conv c4
// ReLU after every conv. (N,C,H,W) -> (N, c1 + c2[1] + c3[1] + c4, H, W); the seed's instance
// InceptionBlock(64, [48, 64], [64, 96], 32) gives 256 channels. Lazy convs, as d2l's.

import { consumed } from "../autograd/private.js";
import { cat } from "../ops/shape.js";
import { chain, childrenUnpatched, registerPrivateConsumer } from "../nn/fusion.js";
import { LazyConv2d } from "../nn/index.js";
import { MaxPool2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";

/** d2l's F.relu as a module (no parameters, not a child), so that chain fuses it. */
const RELU = new ReLU();

/**
 * GoogLeNet's Inception block (d2l 8.4): four branches concatenated along channels; (N, C, H, W) -> (N, c1 + c2[1] + c3[1] + c4, H, W).
 * @example new models.InceptionBlock(64, [48, 64], [64, 96], 32).forward(torch.zeros([1, 3, 8, 8])) // shape [1, 256, 8, 8]
 */
export class InceptionBlock extends Module {
  b1_1: LazyConv2d;
  b2_1: LazyConv2d;
  b2_2: LazyConv2d;
  b3_1: LazyConv2d;
  b3_2: LazyConv2d;
  b4_1 = new MaxPool2d(3, { stride: 1, padding: 1 });
  b4_2: LazyConv2d;

  constructor(c1: number, c2: readonly [number, number], c3: readonly [number, number], c4: number) {
    super();
    this.b1_1 = new LazyConv2d(c1, 1);
    this.b2_1 = new LazyConv2d(c2[0], 1);
    this.b2_2 = new LazyConv2d(c2[1], 3, { padding: 1 });
    this.b3_1 = new LazyConv2d(c3[0], 1);
    this.b3_2 = new LazyConv2d(c3[1], 5, { padding: 2 });
    this.b4_2 = new LazyConv2d(c4, 1);
  }

  forward(x: Tensor): Tensor {
    // Each branch's result is read only by cat, which copies it and needs nothing of it backward.
    const branches = [
      [this.b1_1, RELU],
      [this.b2_1, RELU, this.b2_2, RELU],
      [this.b3_1, RELU, this.b3_2, RELU],
      [this.b4_1, this.b4_2, RELU],
    ].map((layers) => chain(x, layers, true));
    const y = cat(branches, 1);
    for (const b of branches) consumed(b, y);
    return y;
  }
}
registerPrivateConsumer(InceptionBlock.prototype, childrenUnpatched);
