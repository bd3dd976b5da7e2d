// Datasets, as torch.utils.data: `length` and `get(i)` are PyTorch's __len__ and __getitem__.
// Wrappers (Subset, label filtering and remapping) keep the wrapped dataset's fast batch path,
// so a filtered MNIST still builds a batch straight from its bytes.

import { Tensor } from "../tensor.js";
import { loadBatch } from "./collate.js";

/** An (image, label) pair: what every dataset here yields. */
export type Sample = [Tensor, number];

/** What a DataLoader reads (torch.utils.data.Dataset): a length and get(i); TensorDataset, MNIST, Subset are ones. */
export interface Dataset<T = Sample> {
  /** The number of items. */
  readonly length: number;
  /** The item at index (0 <= index < length). */
  get(index: number): T;
  /**
   * Optional fast path: the batch for these indices as [images (B, ...), labels (B) float32],
   * built without a Tensor per item. DataLoader uses it when present.
   */
  getBatch?(indices: ArrayLike<number>): [Tensor, Tensor];
  /** Optional: every label in order, known without loading the items (torchvision's targets). */
  readonly labels?: ArrayLike<number>;
}

export function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  }
}

/**
 * Pairs the rows of `inputs` (N, ...) with the values of `targets` (N), as PyTorch's TensorDataset.
 * @example
 * const ds = new data.TensorDataset(torch.randn([10, 3]), torch.arange(10));
 * ds.length // => 10
 * ds.get(2)[1] // => 2
 * ds.get(2)[0] // shape [3]
 */
export class TensorDataset implements Dataset<Sample> {
  readonly length: number;
  readonly labels: ArrayLike<number>;
  private readonly itemShape: number[];
  private readonly itemSize: number;

  constructor(readonly inputs: Tensor, readonly targets: Tensor) {
    if (inputs.ndim === 0 || targets.ndim !== 1 || targets.shape[0] !== inputs.shape[0]) {
      throw new RangeError(`TensorDataset: inputs [${inputs.shape.join(", ")}] and targets [${targets.shape.join(", ")}] must be (N, ...) and (N)`);
    }
    this.length = inputs.shape[0];
    this.labels = targets.data;
    this.itemShape = inputs.shape.slice(1);
    this.itemSize = inputs.numel / Math.max(this.length, 1);
  }

  get(index: number): Sample {
    checkIndex("TensorDataset.get", index, this.length);
    const n = this.itemSize;
    return [new Tensor(this.inputs.data.slice(index * n, (index + 1) * n), this.itemShape), this.targets.data[index]];
  }

  getBatch(indices: ArrayLike<number>): [Tensor, Tensor] {
    const n = this.itemSize, B = indices.length;
    const x = new Float32Array(B * n);
    const y = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const i = indices[b];
      checkIndex("TensorDataset.getBatch", i, this.length);
      x.set(this.inputs.data.subarray(i * n, (i + 1) * n), b * n);
      y[b] = this.targets.data[i];
    }
    return [new Tensor(x, [B, ...this.itemShape]), new Tensor(y, [B])];
  }
}

/**
 * The items of `dataset` at `indices`, in that order, as torch.utils.data.Subset.
 * @example new data.Subset(new data.TensorDataset(torch.zeros([10, 2]), torch.arange(10)), [7, 3]).get(1)[1] // => 3
 */
export class Subset implements Dataset<Sample> {
  readonly indices: Int32Array;
  private labelCache: Float32Array | null = null;

  constructor(readonly dataset: Dataset<Sample>, indices: ArrayLike<number>) {
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndex("Subset", i, dataset.length);
  }

  get length(): number { return this.indices.length; }

  get(index: number): Sample {
    checkIndex("Subset.get", index, this.length);
    return this.dataset.get(this.indices[index]);
  }

  getBatch(indices: ArrayLike<number>): [Tensor, Tensor] {
    const inner = Int32Array.from(indices, (i) => {
      checkIndex("Subset.getBatch", i, this.length);
      return this.indices[i];
    });
    return loadBatch(this.dataset, inner);
  }

  get labels(): Float32Array {
    this.labelCache ??= Float32Array.from(this.indices, (i) => labelAt(this.dataset, i));
    return this.labelCache;
  }
}

/**
 * Each label replaced by `map[label]`; labels missing from the map are an error.
 * @example new data.MappedLabels(new data.TensorDataset(torch.zeros([2, 1]), torch.tensor([4, 9])), { 4: -1, 9: 1 }).get(1)[1] // => 1
 */
export class MappedLabels implements Dataset<Sample> {
  readonly labels: Float32Array;
  private readonly map: Map<number, number>;

  constructor(readonly dataset: Dataset<Sample>, map: Readonly<Record<number, number>> | ReadonlyMap<number, number>) {
    this.map = map instanceof Map ? new Map(map) : new Map(Object.entries(map).map(([k, v]) => [Number(k), v]));
    this.labels = Float32Array.from({ length: dataset.length }, (_, i) => this.lookup(labelAt(dataset, i)));
  }

  get length(): number { return this.dataset.length; }

  get(index: number): Sample {
    const [x, label] = this.dataset.get(index);
    return [x, this.lookup(label)];
  }

  getBatch(indices: ArrayLike<number>): [Tensor, Tensor] {
    const [x, y] = loadBatch(this.dataset, indices);
    const out = new Float32Array(y.numel);
    for (let b = 0; b < out.length; b++) out[b] = this.labels[indices[b]];
    return [x, new Tensor(out, y.shape)];
  }

  private lookup(label: number): number {
    const v = this.map.get(label);
    if (v === undefined) throw new RangeError(`mapLabels: label ${label} has no entry in the map {${[...this.map.keys()].join(", ")}}`);
    return v;
  }
}

/** The options of filterLabels. */
export interface FilterLabelsOptions {
  /** New label for each kept label, e.g. { 4: -1, 9: 1 }; labels not listed stay as they are. */
  remap?: Readonly<Record<number, number>>;
}

/**
 * The items whose label is in `keep`, in their original order, optionally relabelled.
 * @example
 * const fourNine = data.filterLabels(new data.MNIST({ train: false }), [4, 9], { remap: { 4: -1, 9: 1 } });
 * fourNine.length // => 1991
 * new Set(Array.from({ length: 20 }, (_, i) => fourNine.get(i)[1])) // => new Set([-1, 1])
 */
export function filterLabels(dataset: Dataset<Sample>, keep: readonly number[], options: FilterLabelsOptions = {}): Dataset<Sample> {
  const wanted = new Set(keep);
  const indices: number[] = [];
  for (let i = 0; i < dataset.length; i++) if (wanted.has(labelAt(dataset, i))) indices.push(i);
  const subset = new Subset(dataset, indices);
  if (!options.remap) return subset;
  const map = new Map<number, number>(keep.map((k) => [k, options.remap![k] ?? k]));
  return new MappedLabels(subset, map);
}

/**
 * Relabels every item by `map`, e.g. mapLabels(ds, { 4: -1, 9: 1 }).
 * @example data.mapLabels(new data.TensorDataset(torch.zeros([2, 1]), torch.tensor([4, 9])), { 4: 0, 9: 1 }).get(0)[1] // => 0
 */
export function mapLabels(dataset: Dataset<Sample>, map: Readonly<Record<number, number>>): MappedLabels {
  return new MappedLabels(dataset, map);
}

/** The label of item i, from `labels` when the dataset has it (no image is loaded). */
function labelAt(dataset: Dataset<Sample>, i: number): number {
  if (dataset.labels) return dataset.labels[i];
  return dataset.get(i)[1];
}
