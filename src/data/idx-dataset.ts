// A dataset of uint8 images and labels held as two IDX arrays: the base of MNIST and
// Fashion-MNIST (same format, same file names). All images stay in one Uint8Array
// (60000*784 bytes for MNIST); Tensors are made only when an item or a batch is asked for.
// Pure (no node: imports): the page builds one from the bytes the server sends (data/idx-files.ts
// reads them from disk).

import { Tensor } from "../tensor.js";
import { collate } from "./collate.js";
import { checkIndex, type Dataset, type Sample } from "./dataset.js";
import type { IdxArray } from "./idx.js";
import { bytesToUnit, toTensor, type Transform } from "./transforms.js";

/** The options of the IDX image datasets (MNIST, FashionMNIST). */
export interface IdxImageOptions {
  /** Applied to each image after toTensor; a `batchable` one (normalize) keeps the fast batch path. */
  transform?: Transform;
  /** Keep only the first `limit` items (quick experiments and tests). */
  limit?: number;
}

/**
 * A dataset of [image (C, H, W) float32 in [0, 1], label] pairs from IDX image and label files.
 * @throws RangeError when the files' sizes disagree or limit is negative.
 * @example
 * const [images, labels] = [{ dims: [2, 2, 2], data: new Uint8Array([0, 255, 0, 255, 255, 0, 255, 0]) }, { dims: [2], data: new Uint8Array([3, 7]) }];
 * const ds = new data.IdxImageDataset(images, labels, ["a", "b"]);
 * ds.get(1) // => [[[[1, 0], [1, 0]]], 7]
 */
export class IdxImageDataset implements Dataset<Sample> {
  /** Every image's bytes, row-major (N, C, H, W) or (N, H, W). */
  readonly images: Uint8Array;
  /** One label byte per image. */
  readonly labels: Uint8Array;
  /** The shape of one image Tensor: (C, H, W), C = 1 for grayscale. */
  readonly imageShape: number[];
  readonly transform?: Transform;

  constructor(images: IdxArray, labels: IdxArray, readonly classes: readonly string[], options: IdxImageOptions = {}) {
    const [n, ...rest] = images.dims;
    if (rest.length !== 2 && rest.length !== 3) throw new RangeError(`IdxImageDataset: images must be (N,H,W) or (N,C,H,W), got ${images.dims.join("x")}`);
    if (labels.dims.length !== 1 || labels.dims[0] !== n) throw new RangeError(`IdxImageDataset: ${n} images but labels are ${labels.dims.join("x")}`);
    const limit = Math.min(n, options.limit ?? n);
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`IdxImageDataset: limit must be a non-negative integer, got ${options.limit}`);
    this.imageShape = rest.length === 2 ? [1, ...rest] : rest;
    this.images = images.data.subarray(0, limit * this.imageSize);
    this.labels = labels.data.subarray(0, limit);
    this.transform = options.transform;
  }

  get length(): number { return this.labels.length; }
  private get imageSize(): number { return this.imageShape[0] * this.imageShape[1] * this.imageShape[2]; }

  get(index: number): Sample {
    checkIndex(`${this.constructor.name}.get`, index, this.length);
    const n = this.imageSize;
    const img = toTensor(this.images.subarray(index * n, (index + 1) * n), this.imageShape);
    return [this.transform ? this.transform(img) : img, this.labels[index]];
  }

  /** (B, C, H, W) straight from the bytes; a non-batchable transform falls back to item by item. */
  getBatch(indices: ArrayLike<number>): [Tensor, Tensor] {
    if (this.transform && !this.transform.batchable) return collate(Array.from(indices, (i) => this.get(i)));
    // NOTE: one index type keeps the loop below monomorphic (arrays and Int32Arrays both arrive).
    const op = `${this.constructor.name}.getBatch`, len = this.length;
    const idx = indices instanceof Int32Array ? indices : Int32Array.from(indices, (i) => (checkIndex(op, i, len), i));
    const n = this.imageSize, B = idx.length;
    const x = new Float32Array(B * n);
    const y = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const i = idx[b];
      if (i < 0 || i >= len) checkIndex(op, i, len);
      bytesToUnit(this.images, i * n, x, b * n, n);
      y[b] = this.labels[i];
    }
    const batch = new Tensor(x, [B, ...this.imageShape]);
    return [this.transform ? this.transform(batch) : batch, new Tensor(y, [B])];
  }
}
