// VGG as d2l chapter 8.2 builds it: blocks of 3x3 convolutions (padding 1) with ReLUs, each
// closed by a 2x2 max pool that halves the size, then three fully connected layers with
// dropout. Lazy layers, as d2l's, so the same arch fits any input size and channel count.
//   VGG-11 on (1,1,224,224): (1,64,112,112) (1,128,56,56) (1,256,28,28) (1,512,14,14)
//   (1,512,7,7) -> flatten (1,25088) -> (1,4096) -> (1,4096) -> (1,10)

import { Sequential } from "../nn/containers.js";
import { Dropout, LazyConv2d, LazyLinear } from "../nn/index.js";
import { Flatten, MaxPool2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { applyInit, initCnn, narrow } from "./d2l.js";

/** [number of convolutions, output channels] per block. */
export type VggArch = readonly (readonly [number, number])[];

/** VGG-11 ("configuration A" of Simonyan and Zisserman), the arch d2l prints. */
export const VGG11_ARCH: VggArch = [[1, 64], [1, 128], [2, 256], [2, 512], [2, 512]];

/**
 * numConvs x (3x3 conv, padding 1, ReLU), then a 2x2 max pool: (N,C,H,W) -> (N,outChannels,H/2,W/2).
 * @example models.vggBlock(2, 8).forward(torch.zeros([1, 3, 16, 16])) // shape [1, 8, 8, 8]
 */
export function vggBlock(numConvs: number, outChannels: number): Sequential {
  if (!Number.isInteger(numConvs) || numConvs < 1) throw new RangeError(`vggBlock: numConvs must be a positive integer, got ${numConvs}`);
  const layers: Module[] = [];
  for (let i = 0; i < numConvs; i++) layers.push(new LazyConv2d(outChannels, 3, { padding: 1 }), new ReLU());
  layers.push(new MaxPool2d(2, { stride: 2 }));
  return new Sequential(...layers);
}

/** The options of VGG and vgg. */
export interface VggOptions {
  /** Outputs of the last layer (default 10). */
  numClasses?: number;
  /** Divides every block's channels (d2l trains VGG-11 with channels / 4 on Fashion-MNIST). */
  widthDivisor?: number;
}

/**
 * d2l's VGG: conv blocks, flatten, then 4096-4096-numClasses with ReLU and Dropout(0.5).
 * @example new models.VGG([[1, 8]], { numClasses: 3 }).forward(torch.zeros([1, 1, 16, 16])) // shape [1, 3]
 */
export class VGG extends Module {
  net: Sequential;

  constructor(readonly arch: VggArch, options: VggOptions = {}) {
    super();
    if (!arch.length) throw new RangeError("VGG: arch must have at least one block");
    const k = options.widthDivisor ?? 1;
    this.net = new Sequential(
      ...arch.map(([numConvs, channels]) => vggBlock(numConvs, narrow(channels, k, "VGG"))),
      new Flatten(),
      new LazyLinear(4096), new ReLU(), new Dropout(0.5),
      new LazyLinear(4096), new ReLU(), new Dropout(0.5),
      new LazyLinear(options.numClasses ?? 10),
    );
  }

  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}

/**
 * A VGG ready to train: weights created for `inputShape` (default 1x1x224x224, d2l's
 * Fashion-MNIST resized) and Xavier-initialised as d2l's init_cnn.
 * @example models.vgg(models.VGG11_ARCH, { widthDivisor: 16, inputShape: [1, 1, 32, 32] }).forward(torch.zeros([2, 1, 32, 32])) // shape [2, 10]
 */
export function vgg(arch: VggArch = VGG11_ARCH, options: VggOptions & { inputShape?: readonly number[] } = {}): VGG {
  return applyInit(new VGG(arch, options), options.inputShape ?? [1, 1, 224, 224], initCnn);
}
