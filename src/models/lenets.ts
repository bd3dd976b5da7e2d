// The LeNets of the course besides the homework's LeNet-5 (lenet5.ts):
//  - LeNet (the lecture names it so; factory lectureLeNet): the lecture's (seeds/003): conv5-ReLU-maxpool2 twice, fc 400-120-84-10, 32x32 input.
//  - ModernLeNet: d2l 7.6 exercise (seeds/004): padding 2 on 28x28, ReLU, max pooling.
//  - ImprovedLeNet: d2l 7.6 exercise: three 3x3 convs 32/64/128 with padding 1, fc 1152-256-128-10.
//  - D2lLeNet: d2l 7.6 itself: sigmoid, average pooling, lazy layers in `net`, Xavier init.
// Attribute names are the seeds', so state-dict keys match theirs (conv1.weight, fc3.bias, ...).

import { relu } from "../ops/elementwise.js";
import { Sequential } from "../nn/containers.js";
import { LazyConv2d, LazyLinear } from "../nn/index.js";
import { chain, viewAs } from "../nn/fusion.js";
import { AvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sigmoid } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";
import { applyInit, initCnn } from "./d2l.js";

/** Called with each step's name and output, as the lecture's print statements; null = silent. */
export type ShapeProbe = ((name: string, out: Tensor) => void) | null;

/**
 * The lecture's LeNet (61,706 parameters):
 *   x (N,1,32,32) -> conv1 (N,6,28,28) -> pool1 (N,6,14,14) -> conv2 (N,16,10,10)
 *   -> pool2 (N,16,5,5) -> flattened (N,400) -> fc1 (N,120) -> fc2 (N,84) -> fc3 (N,10)
 * @example new models.LeNet().forward(torch.zeros([1, 1, 32, 32])) // shape [1, 10]
 */
export class LeNet extends Module {
  conv1 = new Conv2d(1, 6, 5);
  pool1 = new MaxPool2d(2, { stride: 2 });
  conv2 = new Conv2d(6, 16, 5);
  pool2 = new MaxPool2d(2, { stride: 2 });
  fc1 = new Linear(400, 120);
  fc2 = new Linear(120, 84);
  fc3 = new Linear(84, 10);
  /** Set it to print "Size of output of conv1: ..." as the lecture's forward does. */
  probe: ShapeProbe = null;

  forward(x: Tensor): Tensor {
    const see = (name: string, t: Tensor) => (this.probe?.(name, t), t);
    x = see("conv1", relu(this.conv1.forward(x)));
    x = see("pool1", this.pool1.forward(x));
    x = see("conv2", relu(this.conv2.forward(x)));
    x = see("pool2", this.pool2.forward(x));
    x = see("flattened", x.view([-1, 16 * 5 * 5]));
    x = see("fc1", relu(this.fc1.forward(x)));
    x = see("fc2", relu(this.fc2.forward(x)));
    return see("fc3", this.fc3.forward(x));
  }
}

/**
 * The lecture's LeNet (input 32x32).
 * @example models.lectureLeNet().numParameters() // => 61706
 */
export function lectureLeNet(): LeNet {
  return new LeNet();
}

/**
 * d2l's "modernized" LeNet (61,706 parameters), one shared pooling module as the seed:
 *   x (N,1,28,28) -> conv1 pad 2 (N,6,28,28) -> pool (N,6,14,14) -> conv2 (N,16,10,10)
 *   -> pool (N,16,5,5) -> view (N,400) -> fc1 (N,120) -> fc2 (N,84) -> fc3 (N,10)
 * @example new models.ModernLeNet().forward(torch.zeros([1, 1, 28, 28])) // shape [1, 10]
 */
export class ModernLeNet extends Module {
  conv1 = new Conv2d(1, 6, 5, { stride: 1, padding: 2 });
  conv2 = new Conv2d(6, 16, 5, { stride: 1 });
  pool = new MaxPool2d(2, { stride: 2 });
  fc1 = new Linear(16 * 5 * 5, 120);
  fc2 = new Linear(120, 84);
  fc3 = new Linear(84, 10);

  forward(x: Tensor): Tensor {
    const { conv1, conv2, pool, fc1, fc2, fc3 } = this;
    return chain(x, [conv1, RELU, pool, conv2, RELU, pool, viewAs([-1, 16 * 5 * 5]), fc1, RELU, fc2, RELU, fc3]); // logits: crossEntropy applies the log-softmax
  }
}

// NOTE: the seeds' forwards apply F.relu; one shared ReLU module (not a child: no state-dict key,
// no summary row) in the chain lets each fuse onto the layer before it (nn/fusion.ts): the same
// values and gradients as relu(layer.forward(x)), without its own pass and array.
const RELU = new ReLU();

/**
 * d2l's modern LeNet (ReLU, max pooling), input 28x28.
 * @example models.modernLeNet().numParameters() // => 61706
 */
export function modernLeNet(): ModernLeNet {
  return new ModernLeNet();
}

/**
 * d2l's "improved" LeNet (422,026 parameters); the seed has no dropout or batch norm:
 *   x (N,1,28,28) -> conv1 (N,32,28,28) -> pool (N,32,14,14) -> conv2 (N,64,14,14)
 *   -> pool (N,64,7,7) -> conv3 (N,128,7,7) -> pool (N,128,3,3) -> view (N,1152)
 *   -> fc1 (N,256) -> fc2 (N,128) -> fc3 (N,10)
 * @example new models.ImprovedLeNet().forward(torch.zeros([1, 1, 28, 28])) // shape [1, 10]
 */
export class ImprovedLeNet extends Module {
  conv1 = new Conv2d(1, 32, 3, { padding: 1 });
  conv2 = new Conv2d(32, 64, 3, { padding: 1 });
  conv3 = new Conv2d(64, 128, 3, { padding: 1 });
  pool = new MaxPool2d(2, { stride: 2 });
  fc1 = new Linear(128 * 3 * 3, 256);
  fc2 = new Linear(256, 128);
  fc3 = new Linear(128, 10);

  forward(x: Tensor): Tensor {
    const { conv1, conv2, conv3, pool, fc1, fc2, fc3 } = this;
    return chain(x, [conv1, RELU, pool, conv2, RELU, pool, conv3, RELU, pool, viewAs([-1, 128 * 3 * 3]), fc1, RELU, fc2, RELU, fc3]);
  }
}

/**
 * d2l's improved LeNet (3x3 convs, 32/64/128 channels, batch norm), input 28x28.
 * @example models.improvedLeNet().forward(torch.zeros([2, 1, 28, 28])) // shape [2, 10]
 */
export function improvedLeNet(): ImprovedLeNet {
  return new ImprovedLeNet();
}

/**
 * d2l's LeNet (chapter 7.6), layers in `net` as d2l.Classifier keeps them (keys net.0.weight, ...):
 *   x (N,1,28,28) -> conv pad 2 (N,6,28,28) -> avgpool (N,6,14,14) -> conv (N,16,10,10)
 *   -> avgpool (N,16,5,5) -> flatten (N,400) -> (N,120) -> (N,84) -> (N,numClasses), sigmoids between
 * The layers are lazy: weights appear on the first forward pass (see d2lLeNet / applyInit).
 * @example new models.D2lLeNet().forward(torch.zeros([1, 1, 28, 28])) // shape [1, 10]
 */
export class D2lLeNet extends Module {
  net: Sequential;

  constructor(readonly numClasses = 10) {
    super();
    this.net = new Sequential(
      new LazyConv2d(6, 5, { padding: 2 }), new Sigmoid(),
      new AvgPool2d(2, { stride: 2 }),
      new LazyConv2d(16, 5), new Sigmoid(),
      new AvgPool2d(2, { stride: 2 }),
      new Flatten(),
      new LazyLinear(120), new Sigmoid(),
      new LazyLinear(84), new Sigmoid(),
      new LazyLinear(numClasses),
    );
  }

  forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}

/**
 * d2l's LeNet ready to train: weights created for `inputShape` and Xavier-initialised (init_cnn).
 * @example models.d2lLeNet().numParameters() // => 61706
 */
export function d2lLeNet(options: { numClasses?: number; inputShape?: readonly number[] } = {}): D2lLeNet {
  return applyInit(new D2lLeNet(options.numClasses ?? 10), options.inputShape ?? [1, 1, 28, 28], initCnn);
}
