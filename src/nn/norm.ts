// Batch normalisation layers, as torch.nn.BatchNorm1d/2d: a learnable per-channel scale
// `weight` (ones) and shift `bias` (zeros), and the buffers running_mean (zeros), running_var
// (ones) and num_batches_tracked (0) under PyTorch's state-dict names. In train() mode a
// forward normalises with the batch's statistics and updates the running ones; in eval()
// mode it uses the running statistics. A ReLU or Tanh after one in a Sequential runs in its
// kernel (forwardActivated, as Conv2d's: nn/fusion.ts).
// NOTE: num_batches_tracked is a float32 scalar (torchlet has no integer dtype); PyTorch's
// load_state_dict copies it into its int64 buffer unchanged.

import { shapeStr } from "../core/shape.js";
import { ones, zeros } from "../creation.js";
import { fuseActivation, type FusedActivation } from "../ops/fused.js";
import { batchNormThen } from "../ops/norm.js";
import type { Tensor } from "../tensor.js";
import { registerPrivateConsumer, type Fusable } from "./fusion.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** The options of BatchNorm1d and BatchNorm2d, as PyTorch's keyword arguments. */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval() (default true); without them eval() uses batch statistics. */
  trackRunningStats?: boolean;
}

export abstract class BatchNorm extends Module implements Fusable {
  /** The per-channel scale (C), ones at first; null without `affine`. */
  weight: Parameter | null = null;
  /** The per-channel shift (C), zeros at first; null without `affine`. */
  bias: Parameter | null = null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    if (!(this.eps >= 0)) throw new RangeError(`${name}: eps must be non-negative, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new RangeError(`${name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new RangeError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures]));
      this.bias = new Parameter(zeros([numFeatures]));
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures]));
      this.registerBuffer("running_var", ones([numFeatures]));
      this.registerBuffer("num_batches_tracked", zeros([]));
    }
  }

  /** Throws unless x has the rank this layer takes (BatchNorm1d: 2-D or 3-D, BatchNorm2d: 4-D). */
  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    return this.normalize(x);
  }

  /** act(forward(x)) with act applied by the batch-norm kernel (nn/fusion.ts Fusable). */
  forwardActivated(x: Tensor, act: FusedActivation, privateOutput = false): Tensor {
    return fuseActivation(this.normalize(x, act), act, privateOutput);
  }

  private normalize(x: Tensor, act?: FusedActivation): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${this.constructor.name}: expected ${this.numFeatures} channels (dim 1), got input of shape ${shapeStr(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const tracked = this.getBuffer("num_batches_tracked");
      tracked.data[0] += 1;
      if (this.momentum === null) factor = 1 / tracked.data[0];
    }
    const stats = this.trackRunningStats ? [this.getBuffer("running_mean"), this.getBuffer("running_var")] : [null, null];
    const useBatchStats = this.training || !this.trackRunningStats;
    return batchNormThen(x, stats[0], stats[1], this.weight, this.bias, useBatchStats, factor, this.eps, act);
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, track_running_stats=${this.trackRunningStats}`;
  }
}

/**
 * Over (N, C) or (N, C, L) inputs.
 * @throws RangeError on an input that is not (N, C) or (N, C, L) with C = numFeatures.
 * @example new nn.BatchNorm1d(3).forward(torch.randn([8, 3])) // shape [8, 3]
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`BatchNorm1d: expected 2D or 3D input, got shape ${shapeStr(x.shape)}`);
  }
}

/**
 * Over (N, C, H, W) inputs.
 * Batch normalization per channel (torch.nn.BatchNorm2d): weight, bias, running_mean, running_var: (C).
 * @throws RangeError on an input that is not (N, C, H, W) with C = numFeatures.
 * @example
 * const bn = new nn.BatchNorm2d(3);
 * bn.forward(torch.randn([4, 3, 5, 5])) // shape [4, 3, 5, 5]
 * Object.keys(bn.stateDict()) // => ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new RangeError(`BatchNorm2d: expected 4D input, got shape ${shapeStr(x.shape)}`);
  }
}

// Batch norm reads its input in its forward and its own backward only, and returns a new array.
for (const cls of [BatchNorm1d, BatchNorm2d]) registerPrivateConsumer(cls.prototype);
