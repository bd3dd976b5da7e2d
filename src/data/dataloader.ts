// DataLoader, as torch.utils.data.DataLoader (single process: no worker processes): batches of
// [images (B, ...itemShape) float32, labels (B) float32], reshuffled on every pass. Like
// torchdata's StatefulDataLoader it knows where it stands: stateDict() taken after k batches of
// a pass and loaded into a fresh loader makes that loader's next pass yield exactly the
// remaining batches, and the passes after it the same orders as the uninterrupted loader.

import { defaultGenerator, Generator, type RngState } from "../core/random.js";
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

/** The loader's position, JSON-able (JSON.stringify / JSON.parse keep it exactly). */
export interface DataLoaderState {
  /** The pass (0-based) that the next `for...of` works on; a pass cut short is resumed. */
  epoch: number;
  /** Batches of that pass already yielded; 0 when the pass starts afresh. */
  batchesYielded: number;
  /**
   * Mid-pass with shuffle only: the generator state the pass's order was drawn from, so the
   * order is drawn again from it (a few numbers instead of a permutation of the dataset).
   */
  orderRng: RngState | null;
  /**
   * The loader's own generator (the seed or generator option) now; null when it shuffles with
   * torch's default generator, whose state torch.getRngState() carries.
   */
  generator: RngState | null;
  /** What the position counts in: a loader that batches differently refuses the state. */
  datasetLength: number;
  /** The loader's batchSize. */
  batchSize: number;
  /** The loader's shuffle option. */
  shuffle: boolean;
  /** The loader's dropLast option. */
  dropLast: boolean;
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
  /** Passes begun; a resumed pass is not counted again. */
  private passes = 0;
  /** Batches yielded in the latest pass. */
  private yielded = 0;
  /** The state the latest pass's order was drawn from (shuffle only). */
  private orderRng: RngState | null = null;
  /** Set by loadStateDict mid-pass: the next pass resumes at this batch. */
  private resumeAt: number | null = null;

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

  /** The pass (0-based) in progress, or the next one when none is: `while (loader.epoch < E) for (...)`. */
  get epoch(): number {
    return this.midPass() ? this.passes - 1 : this.passes;
  }

  /** One pass over the dataset, batch by batch (a fresh order each pass when shuffling). */
  *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const n = this.dataset.length;
    let first = 0;
    let order: Int32Array;
    if (this.resumeAt !== null) {
      first = this.resumeAt;
      this.resumeAt = null;
      order = this.orderRng ? new Generator().setState(this.orderRng).permutation(n) : identity(n);
    } else {
      const gen = this.generator ?? defaultGenerator;
      this.passes++;
      this.yielded = 0;
      this.orderRng = this.shuffle ? gen.getState() : null;
      order = this.shuffle ? gen.permutation(n) : identity(n);
    }
    for (let b = first; b < this.length; b++) {
      const start = b * this.batchSize;
      const batch = loadBatch(this.dataset, order.subarray(start, Math.min(start + this.batchSize, n)));
      // Counted before the yield: a state taken while the caller works on batch b resumes at b + 1.
      this.yielded = b + 1;
      yield batch;
    }
  }

  /** The position (pass, batches yielded) and generator states; see DataLoaderState. */
  stateDict(): DataLoaderState {
    const mid = this.midPass();
    return {
      epoch: this.epoch,
      batchesYielded: mid ? this.yielded : 0,
      orderRng: mid ? this.orderRng : null,
      generator: this.generator?.getState() ?? null,
      datasetLength: this.dataset.length,
      batchSize: this.batchSize,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
    };
  }

  /**
   * Continues from a stateDict(): the next `for...of` yields the rest of the pass it was taken
   * in (or starts the pass it names), later ones the passes that followed. The default
   * generator is not touched: restore it with torch.setRngState.
   */
  loadStateDict(state: DataLoaderState): void {
    checkState(state, this, this.generator !== null);
    if (state.orderRng) new Generator(0).setState(state.orderRng); // refuses a bad one now, not at the next pass
    if (this.generator) this.generator.setState(state.generator!);
    const mid = state.batchesYielded > 0;
    this.passes = mid ? state.epoch + 1 : state.epoch;
    this.yielded = state.batchesYielded;
    this.orderRng = state.orderRng;
    this.resumeAt = mid ? state.batchesYielded : null;
  }

  private midPass(): boolean {
    return this.yielded > 0 && this.yielded < this.length;
  }
}

function checkState(s: DataLoaderState, loader: DataLoader, own: boolean): void {
  const fail = (problem: string): never => {
    throw new RangeError(`DataLoader.loadStateDict: ${problem}`);
  };
  if (s === null || typeof s !== "object") fail(`expected a state from DataLoader.stateDict(), got ${s === null ? "null" : typeof s}`);
  const have = { datasetLength: loader.dataset.length, batchSize: loader.batchSize, shuffle: loader.shuffle, dropLast: loader.dropLast };
  for (const [k, v] of Object.entries(have)) {
    const got = s[k as keyof typeof have];
    if (got !== v) fail(`the state is for ${k} ${JSON.stringify(got)}, this loader has ${JSON.stringify(v)}`);
  }
  for (const k of ["epoch", "batchesYielded"] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 0) fail(`${k} must be a non-negative integer, got ${JSON.stringify(s[k])}`);
  }
  if (s.batchesYielded >= Math.max(loader.length, 1)) fail(`batchesYielded ${s.batchesYielded} is not within a pass of ${loader.length} batches`);
  if (loader.shuffle && s.batchesYielded > 0 && !s.orderRng) fail("a shuffled pass cut short needs orderRng, the state its order was drawn from");
  if (own !== (s.generator !== null && s.generator !== undefined)) {
    fail(own ? "this loader has its own generator (seed or generator option), the state has none"
      : "the state carries its own generator's state, this loader shuffles with torch's default generator (give it a seed or generator)");
  }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
