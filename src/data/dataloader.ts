// DataLoader, as torch.utils.data.DataLoader (single process): batches of
// [images (B, ...itemShape) float32, labels (B) float32], reshuffled on every pass.

import { defaultGenerator, Generator } from "../core/random.js";
import type { Tensor } from "../tensor.js";
import { loadBatch } from "./collate.js";
import type { Dataset, Sample } from "./dataset.js";

/** The options of DataLoader, as torch.utils.data.DataLoader's keyword arguments. */
export interface DataLoaderOptions {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** A fresh random order on each pass (each `for...of`). */
  shuffle?: boolean;
  /** Skip the last batch when it would be smaller than batchSize. */
  dropLast?: boolean;
  /** Seeds this loader's own generator; without it shuffling draws from torch.manualSeed's. */
  seed?: number;
  /** The random stream of shuffling (default: a Generator(seed) when seed is given, else the one torch.manualSeed seeds). */
  generator?: Generator;
}

/**
 * Batches of a dataset, as torch.utils.data.DataLoader: iterate with for...of to get [inputs (B, ...), targets (B)] pairs.
 * @throws RangeError when batchSize is not a positive integer.
 * @example
 * const ds = new data.TensorDataset(torch.randn([10, 1, 28, 28]), torch.arange(10));
 * const loader = new data.DataLoader(ds, { batchSize: 4, shuffle: true });
 * loader.length // => 3
 * const [images, labels] = [...loader][0];
 * images // shape [4, 1, 28, 28]
 * labels // shape [4]
 */
export class DataLoader implements Iterable<[Tensor, Tensor]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | null;

  constructor(readonly dataset: Dataset<Sample>, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize should be a positive integer, got ${options.batchSize}`);
    }
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    // NOTE: the seeded generator is made once, so epochs differ but the sequence of epochs repeats.
    this.generator = options.generator ?? (options.seed !== undefined ? new Generator(options.seed) : null);
  }

  /** The number of batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One pass over the dataset, batch by batch (a fresh order each pass when shuffling). */
  *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const n = this.dataset.length;
    const order = this.shuffle ? (this.generator ?? defaultGenerator).permutation(n) : identity(n);
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      yield loadBatch(this.dataset, order.subarray(start, Math.min(start + this.batchSize, n)));
    }
  }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
