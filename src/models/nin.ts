// Network in Network as d2l chapter 8.3 builds it: each block is a convolution followed by two
// 1x1 convolutions (a per-pixel MLP across channels), ReLU after each; no fully connected
// layer: the last block has numClasses channels and global average pooling gives the logits.
//   on (1,1,224,224): (1,96,54,54) pool (1,96,26,26) (1,256,26,26) pool (1,256,12,12)
//   (1,384,12,12) pool (1,384,5,5) dropout (1,10,5,5) avgpool (1,10,1,1) flatten (1,10)

import { Sequential } from "../nn/containers.js";
import { AdaptiveAvgPool2d, Dropout, LazyConv2d } from "../nn/index.js";
import { Flatten, MaxPool2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { applyInit, initCnn, narrow } from "./d2l.js";

/**
 * conv(k, stride, padding) -> ReLU -> 1x1 conv -> ReLU -> 1x1 conv -> ReLU, all outChannels wide.
 * @example models.ninBlock(8, 3, 1, 1).forward(torch.zeros([1, 1, 8, 8])) // shape [1, 8, 8, 8]
 */
export function ninBlock(outChannels: number, kernelSize: number, stride: number, padding: number): Sequential {
  return new Sequential(
    new LazyConv2d(outChannels, kernelSize, { stride, padding }), new ReLU(),
    new LazyConv2d(outChannels, 1), new ReLU(),
    new LazyConv2d(outChannels, 1), new ReLU(),
  );
}

/**
 * Network in Network (d2l 8.3): NiN blocks and max pooling, then global average pooling to numClasses (default 10).
 * @example new models.NiN({ widthDivisor: 16 }).forward(torch.zeros([1, 1, 96, 96])) // shape [1, 10]
 */
export class NiN extends Module {
  net: Sequential;

  constructor(options: { numClasses?: number; widthDivisor?: number } = {}) {
    super();
    const c = (channels: number) => narrow(channels, options.widthDivisor ?? 1, "NiN");
    this.net = new Sequential(
      ninBlock(c(96), 11, 4, 0), new MaxPool2d(3, { stride: 2 }),
      ninBlock(c(256), 5, 1, 2), new MaxPool2d(3, { stride: 2 }),
      ninBlock(c(384), 3, 1, 1), new MaxPool2d(3, { stride: 2 }),
      new Dropout(0.5),
      ninBlock(options.numClasses ?? 10, 3, 1, 1),
      new AdaptiveAvgPool2d([1, 1]), new Flatten(),
    );
  }

  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}

/**
 * NiN ready to train: weights created for `inputShape` (default 1x1x224x224), Xavier init.
 * @example models.nin({ widthDivisor: 16, inputShape: [1, 1, 96, 96] }).forward(torch.zeros([1, 1, 96, 96])) // shape [1, 10]
 */
export function nin(options: { numClasses?: number; widthDivisor?: number; inputShape?: readonly number[] } = {}): NiN {
  return applyInit(new NiN(options), options.inputShape ?? [1, 1, 224, 224], initCnn);
}
