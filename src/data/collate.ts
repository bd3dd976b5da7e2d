// Stacking samples into a batch, as PyTorch's default_collate for (image, label) pairs:
// images (B, ...itemShape) float32, labels (B) float32.

import { Tensor } from "../tensor.js";
import type { Dataset, Sample } from "./dataset.js";

/**
 * Stacks [image, label] samples; every image must have the same shape.
 * @throws RangeError when the images' shapes differ.
 * @example data.collate([[torch.zeros([1, 2]), 3], [torch.ones([1, 2]), 5]])[1] // => [3, 5]
 */
export function collate(samples: readonly Sample[]): [Tensor, Tensor] {
  if (samples.length === 0) throw new RangeError("collate: cannot stack an empty batch");
  const shape = samples[0][0].shape;
  const size = samples[0][0].numel;
  const x = new Float32Array(samples.length * size);
  const y = new Float32Array(samples.length);
  samples.forEach(([img, label], b) => {
    if (img.numel !== size || img.shape.some((s, i) => s !== shape[i])) {
      throw new RangeError(`collate: sample ${b} has shape [${img.shape.join(", ")}], sample 0 has [${shape.join(", ")}]`);
    }
    x.set(img.data, b * size);
    y[b] = label;
  });
  return [new Tensor(x, [samples.length, ...shape]), new Tensor(y, [samples.length])];
}

/** A batch by the dataset's fast path when it has one, else item by item. */
export function loadBatch(dataset: Dataset<Sample>, indices: ArrayLike<number>): [Tensor, Tensor] {
  if (dataset.getBatch) return dataset.getBatch(indices);
  return collate(Array.from(indices, (i) => dataset.get(i)));
}
