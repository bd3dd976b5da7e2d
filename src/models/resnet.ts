// torchvision's ResNet (torchvision.models.resnet), module for module, so that state-dict keys
// and parameter counts are torchvision's (resnet18: 11,689,512; resnet50: 25,557,032):
//   conv1 7x7/2 -> bn1 -> relu -> maxpool 3x3/2 -> layer1..layer4 (blocks; layer2-4 halve the
//   size) -> avgpool (adaptive 1x1) -> flatten -> fc
//   resnet18 on (1,3,224,224): (1,64,112,112) -> maxpool (1,64,56,56) -> (1,64,56,56)
//   (1,128,28,28) (1,256,14,14) (1,512,7,7) -> (1,512,1,1) -> (1,1000)
// Convolutions have no bias (batch norm follows each); the downsample shortcut (1x1 conv + BN)
// is built where stride != 1 or the channels change, by the rule of torchvision's _make_layer.

import { consumed } from "../autograd/private.js";
import { Sequential } from "../nn/containers.js";
import { AdaptiveAvgPool2d, BatchNorm2d } from "../nn/index.js";
import { kaimingNormal_ } from "../nn/init.js";
import { chain, childrenUnpatched, consumesPrivately, fusableActivation, forwardFused, registerPrivateConsumer } from "../nn/fusion.js";
import { Conv2d, Linear, MaxPool2d, ReLU } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import { BatchNorm } from "../nn/norm.js";
import { addRelu, relu as reluOp } from "../ops/elementwise.js";
import type { Tensor } from "../tensor.js";
import { narrow } from "./d2l.js";

const conv3x3 = (inC: number, outC: number, stride = 1) => new Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inC: number, outC: number, stride = 1) => new Conv2d(inC, outC, 1, { stride, bias: false });

/** 1x1 conv + BN on the shortcut when the block changes size or channels, else null (identity). */
function downsampleFor(inChannels: number, outChannels: number, stride: number): Sequential | null {
  return stride !== 1 || inChannels !== outChannels ? new Sequential(conv1x1(inChannels, outChannels, stride), new BatchNorm2d(outChannels)) : null;
}

/** out + identity, refusing to broadcast: a block whose shortcut does not fit is a wiring bug. */
export function addShortcut(op: string, out: Tensor, identity: Tensor, hint = ""): Tensor {
  return checkShortcut(op, out, identity, hint).add(identity);
}

/**
 * relu(out + identity), shapes checked as addShortcut, in one pass and one graph node
 * (ops/elementwise.ts addRelu); `relu`: the block's ReLU module, which runs on its own if patched.
 * The block's last read of both: a private one of them (autograd/private.ts) is done with here.
 */
export function addShortcutRelu(op: string, out: Tensor, identity: Tensor, relu: Module | null = null, hint = ""): Tensor {
  checkShortcut(op, out, identity, hint);
  const y = relu === null || fusableActivation(relu) === "relu" ? addRelu(out, identity) : relu.forward(out.add(identity));
  consumed(out, y);
  consumed(identity, y);
  return y;
}

function checkShortcut(op: string, out: Tensor, identity: Tensor, hint: string): Tensor {
  if (out.ndim !== identity.ndim || out.shape.some((s, i) => s !== identity.shape[i])) {
    throw new RangeError(`${op}: the block gives shape [${out.shape.join(", ")}] but the shortcut [${identity.shape.join(", ")}]${hint}`);
  }
  return out;
}

/**
 * relu(bn.forward(x)) with the ReLU in the batch-norm kernel (nn/norm.ts forwardActivated), or
 * run apart where bn or the block's ReLU module `relu` is patched or subclassed. `next`: the
 * module that alone reads the result: where it only reads it as a library layer does, the
 * backward reuses the result's memory (ops/fused.ts privateOutput).
 */
export function bnRelu(bn: Module, x: Tensor, relu: Module | null = null, next: Module | null = null): Tensor {
  const fusable = bn instanceof BatchNorm && (relu === null || fusableActivation(relu) === "relu");
  const fused = fusable ? forwardFused(bn, x, "relu", next !== null && consumesPrivately(next)) : null;
  return fused ?? (relu ? relu.forward(bn.forward(x)) : reluOp(bn.forward(x)));
}

/** The options of BasicBlock and Bottleneck. */
export interface BlockOptions {
  /** Stride of the block's strided convolution (default 1); the shortcut gets a 1x1 conv when it is not 1. */
  stride?: number;
}

/**
 * Two 3x3 convs: (N,inChannels,H,W) -> (N,channels,H/stride,W/stride).
 * @example new models.BasicBlock(8, 16, { stride: 2 }).forward(torch.zeros([1, 8, 8, 8])) // shape [1, 16, 4, 4]
 */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu = new ReLU();
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  constructor(inChannels: number, channels: number, options: BlockOptions = {}) {
    super();
    const stride = options.stride ?? 1;
    this.conv1 = conv3x3(inChannels, channels, stride);
    this.bn1 = new BatchNorm2d(channels);
    this.conv2 = conv3x3(channels, channels);
    this.bn2 = new BatchNorm2d(channels);
    this.downsample = downsampleFor(inChannels, channels, stride);
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample ? this.downsample.forwardChain(x, true) : x;
    const out = chain(x, [this.conv1, this.bn1, this.relu, this.conv2, this.bn2], true);
    return addShortcutRelu("BasicBlock", out, identity, this.relu);
  }
}

/**
 * 1x1 conv down to `channels`, 3x3 conv (carrying the stride, as torchvision v1.5 and the seed),
 * 1x1 conv up to 4 * channels: (N,inChannels,H,W) -> (N,4*channels,H/stride,W/stride).
 * @example new models.Bottleneck(16, 4).forward(torch.zeros([1, 16, 4, 4])) // shape [1, 16, 4, 4]
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  relu = new ReLU();
  downsample: Sequential | null;

  constructor(inChannels: number, channels: number, options: BlockOptions = {}) {
    super();
    const stride = options.stride ?? 1;
    const outChannels = channels * Bottleneck.expansion;
    this.conv1 = conv1x1(inChannels, channels);
    this.bn1 = new BatchNorm2d(channels);
    this.conv2 = conv3x3(channels, channels, stride);
    this.bn2 = new BatchNorm2d(channels);
    this.conv3 = conv1x1(channels, outChannels);
    this.bn3 = new BatchNorm2d(outChannels);
    this.downsample = downsampleFor(inChannels, outChannels, stride);
  }

  forward(x: Tensor): Tensor {
    const identity = this.downsample ? this.downsample.forwardChain(x, true) : x;
    const out = chain(x, [this.conv1, this.bn1, this.relu, this.conv2, this.bn2, this.relu, this.conv3, this.bn3], true);
    return addShortcutRelu("Bottleneck", out, identity, this.relu);
  }
}

for (const cls of [BasicBlock, Bottleneck]) registerPrivateConsumer(cls.prototype, childrenUnpatched);

/** BasicBlock or Bottleneck, with its channel expansion (1 or 4). */
export type ResNetBlock = (typeof BasicBlock | typeof Bottleneck) & { expansion: number };

/** The options of ResNet and resnet18/34/50. */
export interface ResNetOptions {
  /** Outputs of fc (default 1000, as torchvision). */
  numClasses?: number;
  /** Input image channels (default 3; 1 for MNIST). */
  inChannels?: number;
  /** Divides every width (64, 128, 256, 512) for narrow nets on 2 cores; 1 is torchvision's. */
  widthDivisor?: number;
}

/**
 * torchvision's ResNet: a 7x7 stem, four stages of `block` x `layers`, global average pooling and fc; x (N, inChannels, H, W) -> (N, numClasses).
 * @example new models.ResNet(models.BasicBlock, [1, 1, 1, 1], { widthDivisor: 16, inChannels: 1, numClasses: 10 }).forward(torch.zeros([2, 1, 32, 32])) // shape [2, 10]
 */
export class ResNet extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu = new ReLU();
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc: Linear;

  constructor(block: ResNetBlock, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const [w1, w2, w3, w4] = [64, 128, 256, 512].map((c) => narrow(c, options.widthDivisor ?? 1, "ResNet"));
    this.conv1 = new Conv2d(options.inChannels ?? 3, w1, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(w1);
    let inC = w1;
    const makeLayer = (channels: number, blocks: number, stride: number) => {
      const seq = new Sequential(new block(inC, channels, { stride }));
      inC = channels * block.expansion;
      for (let i = 1; i < blocks; i++) seq.push(new block(inC, channels));
      return seq;
    };
    this.layer1 = makeLayer(w1, layers[0], 1);
    this.layer2 = makeLayer(w2, layers[1], 2);
    this.layer3 = makeLayer(w3, layers[2], 2);
    this.layer4 = makeLayer(w4, layers[3], 2);
    this.fc = new Linear(inC, options.numClasses ?? 1000);
    // torchvision's init: He-normal (fan_out, ReLU) convolutions; batch norm starts at 1 and 0.
    for (const m of this.modules()) if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: "fanOut", nonlinearity: "relu" });
  }

  forward(x: Tensor): Tensor {
    const stages = [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool];
    return this.fc.forward(chain(x, stages).flatten(1));
  }
}

/**
 * torchvision.models.resnet18: BasicBlock x [2, 2, 2, 2], 11,689,512 parameters at the defaults.
 * @example models.resnet18().numParameters() // => 11689512
 */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], options);
}

/**
 * torchvision.models.resnet34: BasicBlock x [3, 4, 6, 3].
 * @example models.resnet34({ widthDivisor: 16, numClasses: 10 }).forward(torch.zeros([2, 3, 32, 32])) // shape [2, 10]
 */
export function resnet34(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [3, 4, 6, 3], options);
}

/**
 * torchvision.models.resnet50: Bottleneck x [3, 4, 6, 3], 25,557,032 parameters at the defaults.
 * @example models.resnet50({ widthDivisor: 16 }).forward(torch.zeros([2, 3, 32, 32])) // shape [2, 1000]
 */
export function resnet50(options: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], options);
}
