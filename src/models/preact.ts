// The pre-activation residual block (He et al. 2016, "Identity mappings in deep residual
// networks"): batch norm and ReLU come before each convolution, and nothing follows the sum,
// so the shortcut path stays an identity from block to block.
//   out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut(x)
// Attributes are the seed's ModifiedResidualBlock's (bn1, relu, conv1, bn2, conv2, shortcut),
// so state-dict keys match it. NOTE: the seed's forward skips the ReLU between bn2 and conv2
// and adds a ReLU after the sum; this block follows the paper.
//   (N,inChannels,H,W) -> (N,outChannels,H/stride,W/stride)

import { Sequential } from "../nn/containers.js";
import { BatchNorm2d } from "../nn/index.js";
import { Conv2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { addShortcut, bnRelu } from "./resnet.js";

/**
 * The pre-activation residual block (He et al. 2016): out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut(x).
 * @example new models.PreActResidual(4, 8, { stride: 2 }).forward(torch.zeros([2, 4, 8, 8])) // shape [2, 8, 4, 4]
 */
export class PreActResidual extends Module {
  bn1: BatchNorm2d;
  relu = new ReLU();
  conv1: Conv2d;
  bn2: BatchNorm2d;
  conv2: Conv2d;
  /** Empty (identity) unless the block changes size or channels: then 1x1 conv + BN, as the seed's. */
  shortcut: Sequential;

  constructor(inChannels: number, outChannels: number, options: { stride?: number } = {}) {
    super();
    const stride = options.stride ?? 1;
    this.bn1 = new BatchNorm2d(inChannels);
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { stride, padding: 1 });
    this.bn2 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { stride: 1, padding: 1 });
    this.shortcut = stride !== 1 || inChannels !== outChannels
      ? new Sequential(new Conv2d(inChannels, outChannels, 1, { stride }), new BatchNorm2d(outChannels))
      : new Sequential();
  }

  forward(x: Tensor): Tensor {
    let out = this.conv1.forward(bnRelu(this.bn1, x, this.relu, this.conv1));
    out = this.conv2.forward(bnRelu(this.bn2, out, this.relu, this.conv2));
    return addShortcut("PreActResidual", out, this.shortcut.forward(x));
  }
}
