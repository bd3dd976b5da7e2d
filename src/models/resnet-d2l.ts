// d2l's ResNet (chapter 8.6): the Residual block with an optional 1x1 convolution on the
// shortcut, and ResNet = b1 (7x7 conv stride 2, BN, ReLU, 3x3 max pool stride 2), one stage per
// arch entry, global average pooling and a Linear. Lazy layers, as d2l's; names as d2l's
// add_module calls give them (net.0, net.b2, ..., net.last), so state-dict keys match.
//   ResNet-18 on (1,1,96,96): b1 (1,64,24,24) b2 (1,64,24,24) b3 (1,128,12,12)
//   b4 (1,256,6,6) b5 (1,512,3,3) last (1,10)

import { Sequential } from "../nn/containers.js";
import { chain, childrenUnpatched, registerPrivateConsumer } from "../nn/fusion.js";
import { AdaptiveAvgPool2d, LazyBatchNorm2d, LazyConv2d, LazyLinear } from "../nn/index.js";
import { Flatten, MaxPool2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { applyInit, initCnn, narrow } from "./d2l.js";
import { addShortcutRelu } from "./resnet.js";

/** d2l's F.relu as a module (no parameters, not a child), so that chain fuses it. */
const RELU = new ReLU();

/**
 * Y = relu(bn2(conv2(relu(bn1(conv1(X))))) + shortcut(X)), the shortcut being X itself or a
 * 1x1 conv (conv3) when channels or size change. (N,C,H,W) -> (N,numChannels,H/strides,W/strides).
 * @example new models.Residual(8, { use1x1conv: true, strides: 2 }).forward(torch.zeros([1, 4, 6, 6])) // shape [1, 8, 3, 3]
 */
export class Residual extends Module {
  conv1: LazyConv2d;
  conv2: LazyConv2d;
  conv3: LazyConv2d | null;
  bn1 = new LazyBatchNorm2d();
  bn2 = new LazyBatchNorm2d();

  constructor(readonly numChannels: number, options: { use1x1conv?: boolean; strides?: number } = {}) {
    super();
    const strides = options.strides ?? 1;
    this.conv1 = new LazyConv2d(numChannels, 3, { padding: 1, stride: strides });
    this.conv2 = new LazyConv2d(numChannels, 3, { padding: 1 });
    this.conv3 = options.use1x1conv ? new LazyConv2d(numChannels, 1, { stride: strides }) : null;
  }

  forward(x: Tensor): Tensor {
    const y = chain(x, [this.conv1, this.bn1, RELU, this.conv2, this.bn2], true);
    const shortcut = this.conv3 ? chain(x, [this.conv3], true) : x;
    return addShortcutRelu("Residual", y, shortcut, null, "; use use1x1conv when channels or strides change");
  }
}
registerPrivateConsumer(Residual.prototype, childrenUnpatched);

/**
 * nn.Sequential after add_module(name, m) calls: children under their own names, run in order.
 * @example Object.keys(new models.NamedSequential([["stem", new nn.Linear(2, 2)]]).stateDict()) // => ["stem.weight", "stem.bias"]
 */
export class NamedSequential extends Module {
  constructor(entries: readonly (readonly [string, Module])[]) {
    super();
    for (const [name, m] of entries) (this as unknown as Record<string, Module>)[name] = m;
  }

  forward(x: Tensor): Tensor {
    return chain(x, this.children());
  }
}

/** [number of residual blocks, channels] per stage. */
export type ResNetArch = readonly (readonly [number, number])[];

/** d2l's ResNet-18 stages: [blocks, channels] x 4. */
export const D2L_RESNET18_ARCH: ResNetArch = [[2, 64], [2, 128], [2, 256], [2, 512]];

/** The options of D2lResNet, resnet and d2lResnet18. */
export interface D2lResNetOptions {
  /** Outputs of the last layer (default 10). */
  numClasses?: number;
  /** Divides every channel count (b1's 64 included), for narrow nets on 2 cores. */
  widthDivisor?: number;
}

/**
 * d2l's ResNet (8.6): a 7x7 stem, residual stages as `arch` gives them, global average pooling and a LazyLinear.
 * @example new models.D2lResNet([[1, 64]], { widthDivisor: 8 }).forward(torch.zeros([2, 1, 32, 32])) // shape [2, 10]
 */
export class D2lResNet extends Module {
  net: NamedSequential;

  constructor(readonly arch: ResNetArch, options: D2lResNetOptions = {}) {
    super();
    const c = (channels: number) => narrow(channels, options.widthDivisor ?? 1, "resnet");
    const b1 = new Sequential(
      new LazyConv2d(c(64), 7, { stride: 2, padding: 3 }),
      new LazyBatchNorm2d(), new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }),
    );
    // The first stage keeps b1's size; each later one halves it and changes channels by a 1x1 conv.
    const stage = ([numResiduals, channels]: readonly [number, number], first: boolean) =>
      new Sequential(...Array.from({ length: numResiduals }, (_, i) =>
        i === 0 && !first ? new Residual(c(channels), { use1x1conv: true, strides: 2 }) : new Residual(c(channels))));
    this.net = new NamedSequential([
      ["0", b1],
      ...arch.map((b, i) => [`b${i + 2}`, stage(b, i === 0)] as const),
      ["last", new Sequential(new AdaptiveAvgPool2d([1, 1]), new Flatten(), new LazyLinear(options.numClasses ?? 10))],
    ]);
  }

  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}

/**
 * d2l's ResNet(arch) ready to train: weights for `inputShape` (default 1x1x96x96), Xavier init.
 * @example models.resnet([[1, 64], [1, 128]], { widthDivisor: 8, inputShape: [1, 1, 32, 32] }).forward(torch.zeros([2, 1, 32, 32])) // shape [2, 10]
 */
export function resnet(arch: ResNetArch, options: D2lResNetOptions & { inputShape?: readonly number[] } = {}): D2lResNet {
  return applyInit(new D2lResNet(arch, options), options.inputShape ?? [1, 1, 96, 96], initCnn);
}

/**
 * d2l's ResNet18 class: resnet(((2, 64), (2, 128), (2, 256), (2, 512))).
 * @example models.d2lResnet18({ widthDivisor: 16, inputShape: [1, 1, 32, 32] }).forward(torch.zeros([2, 1, 32, 32])) // shape [2, 10]
 */
export function d2lResnet18(options: D2lResNetOptions & { inputShape?: readonly number[] } = {}): D2lResNet {
  return resnet(D2L_RESNET18_ARCH, options);
}
