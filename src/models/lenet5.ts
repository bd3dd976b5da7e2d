// LeNet-5 exactly as the homework's (seeds/000, Problem 7): tanh activations, average pooling
// followed by tanh, padding 2 on C1 so that 28x28 MNIST digits become 32x32, and C3 either
// the original sparse connection table or a full Conv2d(6, 16, 5).
// Attribute names are the seed's, so state-dict keys match PyTorch's (C1_layer.0.weight, ...).
//   x (N,1,28,28) -> C1 (N,6,28,28) -> P2 (N,6,14,14) -> C3 (N,16,10,10) -> P4 (N,16,5,5)
//   -> view (N,400) -> C5 (N,120) -> F6 (N,84) -> F7 (N,10) logits

import { ModuleList, Sequential } from "../nn/containers.js";
import { chain, consumesPrivately, forwardThen, registerPrivateConsumer, viewAs, type Fusable } from "../nn/fusion.js";
import { AvgPool2d, Conv2d, Linear, Tanh } from "../nn/layers.js";
import { fuseActivation, type FusedActivation } from "../ops/fused.js";
import { Module } from "../nn/module.js";
import { zeros } from "../creation.js";
import { convolve2d } from "../ops/conv.js";
import { cat, indexSelect } from "../ops/shape.js";
import type { Tensor } from "../tensor.js";

/**
 * Which of P2's 6 maps each of C3's 16 maps sees (LeCun et al. 1998, table I).
 * @example models.C3_TABLE.ch_in_3.length + models.C3_TABLE.ch_in_4.length // => 15
 */
export const C3_TABLE = {
  ch_in_3: [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5]],
  ch_in_4: [[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5], [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5]],
} as const;

/**
 * Modern LeNets use a full Conv2d(6, 16, 5) for C3.
 * @example new models.C3LayerFull().forward(torch.zeros([1, 6, 14, 14])) // shape [1, 16, 10, 10]
 */
export class C3LayerFull extends Module implements Fusable {
  conv_layer = new Conv2d(6, 16, 5);
  forward(x: Tensor): Tensor {
    return this.conv_layer.forward(x);
  }
  /** LeNet-5's C3 is followed by a Tanh: fused when the convolution can take it (nn/fusion.ts). */
  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return forwardThen(this.conv_layer, x, act, privateOutput);
  }
}

/**
 * The original sparse C3: 6 maps over 3 input channels, 9 over 4, 1 over all 6. The parameters
 * are the seed's 16 small convolutions (same keys as PyTorch); forward scatters their weights
 * into one zero-filled (16, 6, 5, 5) weight and runs a single convolution.
 * NOTE: the scatter is indexSelect over [weight, zeros] (the zero slot for unconnected
 * channels), so its backward is indexSelect's: unconnected positions get no gradient and the
 * small weights get exactly the gradients of the 16 separate convolutions.
 * @example new models.C3LayerSparse().numParameters() // => 1516
 */
export class C3LayerSparse extends Module implements Fusable {
  ch_3_layers = new ModuleList(C3_TABLE.ch_in_3.map(() => new Conv2d(3, 1, 5)));
  ch_4_layers = new ModuleList(C3_TABLE.ch_in_4.map(() => new Conv2d(4, 1, 5)));
  ch_6_layer = new Conv2d(6, 1, 5);

  /** Each output map's conv and the input channels it reads, in output order. */
  private maps(): [Conv2d, readonly number[]][] {
    return [
      ...C3_TABLE.ch_in_3.map((subset, i): [Conv2d, readonly number[]] => [this.ch_3_layers[i], subset]),
      ...C3_TABLE.ch_in_4.map((subset, i): [Conv2d, readonly number[]] => [this.ch_4_layers[i], subset]),
      [this.ch_6_layer, [0, 1, 2, 3, 4, 5]],
    ];
  }

  forward(x: Tensor): Tensor {
    return this.convolve(x);
  }

  /** The one convolution, its kernel also applying `act` when given (ops/fused.ts). */
  private convolve(x: Tensor, act?: FusedActivation): Tensor {
    const weights = this.maps().map(([conv, subset]) => {
      const k = subset.length;
      if (k === 6) return conv.weight;
      // (1, k+1, 5, 5): the map's k kernels then a zero kernel; pick per input channel.
      const padded = cat([conv.weight, zeros([1, 1, 5, 5], { dtype: conv.weight.dtype })], 1);
      return indexSelect(padded, 1, [0, 1, 2, 3, 4, 5].map((c) => (subset.includes(c) ? subset.indexOf(c) : k)));
    });
    const bias = cat(this.maps().map(([conv]) => conv.bias!), 0);
    return convolve2d("conv2d", x, cat(weights, 0), bias, {}, act);
  }

  /** forward's convolution is a fresh result: the Tanh after it can run in place (ops/fused.ts). */
  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(this.convolve(x, act), act, privateOutput);
  }

  /** The seed's formulation (16 convolutions on channel subsets, concatenated): the reference. */
  forwardReference(x: Tensor): Tensor {
    return cat(this.maps().map(([conv, subset]) => conv.forward(indexSelect(x, 1, subset))), 1);
  }
}

// Both read their input only into a convolution (the sparse one directly, the full one through
// its conv_layer, so only while that is the library's Conv2d).
registerPrivateConsumer(C3LayerFull.prototype, (m) => consumesPrivately((m as C3LayerFull).conv_layer));
registerPrivateConsumer(C3LayerSparse.prototype);

/** LeNet-5's C3: the original sparse connection table, or a full Conv2d(6, 16, 5). */
export type C3Variant = "sparse" | "full";

/**
 * The homework's LeNet-5 (tanh, average pooling, C3 sparse or full): x (N, 1, 28, 28) -> logits (N, 10), state-dict keys as the homework's PyTorch model.
 * @throws RangeError when c3 is not "sparse" or "full".
 * @example new models.LeNet5("full").forward(torch.zeros([2, 1, 28, 28])) // shape [2, 10]
 */
export class LeNet5 extends Module {
  C1_layer = new Sequential(new Conv2d(1, 6, 5, { padding: 2 }), new Tanh());
  P2_layer = new Sequential(new AvgPool2d(2, { stride: 2 }), new Tanh());
  // Declared here (assigned in the constructor) so that it keeps its place among the children.
  C3_layer: Sequential;
  P4_layer = new Sequential(new AvgPool2d(2, { stride: 2 }), new Tanh());
  C5_layer = new Sequential(new Linear(5 * 5 * 16, 120), new Tanh());
  F6_layer = new Sequential(new Linear(120, 84), new Tanh());
  F7_layer = new Linear(84, 10);

  constructor(readonly c3: C3Variant = "sparse") {
    super();
    if (c3 !== "sparse" && c3 !== "full") throw new RangeError(`lenet5: c3 must be "sparse" or "full", got ${JSON.stringify(c3)}`);
    this.C3_layer = new Sequential(c3 === "full" ? new C3LayerFull() : new C3LayerSparse(), new Tanh());
  }

  forward(x: Tensor): Tensor {
    return chain(x, [this.C1_layer, this.P2_layer, this.C3_layer, this.P4_layer, FLATTEN, this.C5_layer, this.F6_layer, this.F7_layer]);
  }
}

// NOTE: P4's output reaches C5 through this view only, and C5's Linear reads it in its backward
// before P4's backward runs: P4's output stays private (nn/fusion.ts chain), as every other
// layer's output, so the fused activations may lend their arrays to the gradients.
const FLATTEN = viewAs([-1, 5 * 5 * 16]);

/**
 * LeNet-5 with options: c3 "sparse" (default, 60,806 parameters) or "full" (61,706).
 * @example models.lenet5().numParameters() // => 60806
 * @example models.lenet5({ c3: "full" }).numParameters() // => 61706
 */
export function lenet5(options: { c3?: C3Variant } = {}): LeNet5 {
  return new LeNet5(options.c3 ?? "sparse");
}
