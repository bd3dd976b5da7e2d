// A training run made ready from a plan (train/plans.ts) and its settings: seed, datasets, model,
// optimizer, loaders and the checkpoint's metadata. One set-up for `torchlet train`, the server's
// training worker and the page's Web Worker, which then hand it to train/fit.ts.
// Pure (no node: imports): the datasets come from an OpenSplit, which reads the files on Node
// (train/datasets.ts datasetFiles) and wraps the bytes the server sent in the page.

import { manualSeed } from "../core/random.js";
import { DataLoader } from "../data/dataloader.js";
import type { Module } from "../nn/module.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import type { RunInfo } from "./checkpoint.js";
import type { Dataset, Sample } from "../data/dataset.js";
import type { IdxImageOptions } from "../data/idx-dataset.js";
import type { TrainPlan } from "./plans.js";
import { datasetTitle, inputTransform, specToInfo, type DatasetName } from "./recipes.js";

/** One split of the run's dataset (train: true for the training split), limited and transformed. */
export type OpenSplit = (train: boolean, options: IdxImageOptions) => Dataset<Sample>;

export interface RunSettings {
  dataset: DatasetName;
  optimizer: "sgd" | "adam";
  lr: number;
  /** SGD's momentum (0: none). */
  momentum?: number;
  batchSize: number;
  seed: number;
  /** The first `limit` training images only. */
  limit?: number;
  /** The first `testLimit` test images only. */
  testLimit?: number;
  /** Further metadata for the checkpoint (e.g. source: "torchlet serve"). */
  extraInfo?: RunInfo;
}

export interface PreparedRun {
  model: Module;
  optimizer: Optimizer;
  train: DataLoader;
  test: DataLoader;
  /** The checkpoint's metadata (without the epoch). */
  info: RunInfo;
  /** The keys a checkpoint must agree on to be resumed by this run. */
  resumeExpect: RunInfo;
  /** One line saying what trains on what, e.g. "LeNet-5 (C3 sparse, 60806 parameters), sgd lr 0.1, ...". */
  headline: string;
}

/** `open` gives the splits of `s.dataset`. */
export function prepareRun(plan: TrainPlan, s: RunSettings, open: OpenSplit): PreparedRun {
  // The seed first, so that the initial weights and the shuffles depend on it only.
  manualSeed(s.seed);
  const transform = inputTransform(plan.spec);
  const trainSet = plan.select(open(true, { limit: s.limit, transform }));
  const testSet = plan.select(open(false, { limit: s.testLimit, transform }));
  const model = plan.build();
  const momentum = s.momentum ?? 0;
  const optimizer = s.optimizer === "adam" ? new Adam(model.parameters(), { lr: s.lr }) : new SGD(model.parameters(), { lr: s.lr, momentum });
  const testBatchSize = plan.testBatchSize ?? s.batchSize;
  const info: RunInfo = {
    model: plan.name, dataset: s.dataset, ...plan.info, ...specToInfo(plan.spec), optimizer: s.optimizer, lr: String(s.lr),
    ...(momentum !== 0 && { momentum: String(momentum) }), batchSize: String(s.batchSize), testBatchSize: String(testBatchSize), seed: String(s.seed),
    ...s.extraInfo,
  };
  const resumeExpect = Object.fromEntries(["model", "dataset", ...plan.resumeKeys].filter((k) => info[k] !== undefined).map((k) => [k, info[k]]));
  const tests = s.testLimit === undefined ? "" : `, ${testSet.length} test images`;
  const headline = `${plan.describe(model)}, ${s.optimizer} lr ${s.lr}, batch ${s.batchSize}, ${trainSet.length} training images${tests}` +
    `${s.dataset === "mnist" ? "" : ` (${datasetTitle(s.dataset)})`}, seed ${s.seed}`;
  return {
    model, optimizer, info, resumeExpect, headline,
    train: new DataLoader(trainSet, { batchSize: s.batchSize, shuffle: true }),
    test: new DataLoader(testSet, { batchSize: testBatchSize }),
  };
}
