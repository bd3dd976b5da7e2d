// How the course trains each network (`torchlet train <model>`'s defaults), and the input
// pipeline a checkpoint's metadata describes (resize / pad / normalize), so that train, eval and
// viz feed a model the images it was trained on. Pure (no node: imports): the web explorer can
// rebuild a checkpoint's inputs the same way.

import { noGrad } from "../autograd/grad-mode.js";
import { compose, normalize, resize, type Transform } from "../data/transforms.js";
import { pad } from "../ops/pad.js";
import type { Tensor } from "../tensor.js";

export type DatasetName = "mnist" | "fashion-mnist";
export const DATASETS: readonly DatasetName[] = ["mnist", "fashion-mnist"];

/** "MNIST" or "Fashion-MNIST", for messages. */
export function datasetTitle(name: DatasetName): string {
  return name === "fashion-mnist" ? "Fashion-MNIST" : "MNIST";
}

export interface Recipe {
  dataset: DatasetName;
  optimizer: "sgd" | "adam";
  lr: number;
  batchSize: number;
  epochs: number;
  /** Bilinear resize of the 28x28 images to this side (d2l.FashionMNIST(resize=...)). */
  resize?: number;
  /** Zero border around the 28x28 digits (the lecture's LeNet takes 32x32: 28 + 2 * 2). */
  pad?: number;
  /** transforms.Normalize((0.5,), (0.5,)) as the d2l exercises' torchvision pipelines. */
  normalize?: [mean: number, std: number];
  /** Channel divisor d2l uses to make the net trainable on its budget (VGG: 4). */
  widthDivisor?: number;
  /** Where the settings come from, shown in --help. */
  source: string;
}

// NOTE: d2l.Classifier trains with plain SGD (configure_optimizers) at the model's lr;
// d2l.FashionMNIST is Resize + ToTensor, no normalization.
export const RECIPES: Readonly<Record<string, Recipe>> = {
  lenet5: { dataset: "mnist", optimizer: "sgd", lr: 0.1, batchSize: 100, epochs: 10, source: "homework 4, problem 7" },
  logreg: { dataset: "mnist", optimizer: "sgd", lr: 0.0255, batchSize: 1, epochs: 1, source: "homework 4, problem 5" },
  "lecture-lenet": { dataset: "mnist", optimizer: "sgd", lr: 0.1, batchSize: 100, epochs: 10, pad: 2, source: "lecture 28's net, trained as homework 4's LeNet-5 (28x28 digits padded to 32x32)" },
  "d2l-lenet": { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.1, batchSize: 128, epochs: 10, source: "d2l 7.6" },
  "modern-lenet": { dataset: "mnist", optimizer: "adam", lr: 1e-3, batchSize: 64, epochs: 5, normalize: [0.5, 0.5], source: "d2l 7.6 exercise" },
  "improved-lenet": { dataset: "mnist", optimizer: "adam", lr: 5e-4, batchSize: 64, epochs: 5, normalize: [0.5, 0.5], source: "d2l 7.6 exercise" },
  vgg11: { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.01, batchSize: 128, epochs: 10, resize: 224, widthDivisor: 4, source: "d2l 8.2" },
  nin: { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.05, batchSize: 128, epochs: 10, resize: 224, source: "d2l 8.3" },
  "d2l-resnet18": { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.01, batchSize: 128, epochs: 10, resize: 96, source: "d2l 8.6" },
  resnet18: { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.01, batchSize: 128, epochs: 10, resize: 96, source: "as d2l 8.6's ResNet-18" },
  resnet34: { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.01, batchSize: 128, epochs: 10, resize: 96, source: "as d2l 8.6's ResNet-18" },
  resnet50: { dataset: "fashion-mnist", optimizer: "sgd", lr: 0.01, batchSize: 128, epochs: 10, resize: 96, source: "as d2l 8.6's ResNet-18" },
};

/** The input pipeline of a run, as stored in its checkpoint's metadata (strings). */
export interface InputSpec {
  resize?: number;
  pad?: number;
  normalize?: [mean: number, std: number];
}

/** The image side a 28x28 dataset image has after the pipeline. */
export function inputSize(spec: InputSpec, side = 28): number {
  return spec.resize ?? side + 2 * (spec.pad ?? 0);
}

/**
 * The batchable transform for a spec (undefined when there is nothing to do, so the dataset
 * keeps its plain fast path). Order: pad or resize, then normalize (per channel, so the order
 * with bilinear resizing does not change the values).
 */
export function inputTransform(spec: InputSpec): Transform | undefined {
  const steps: Transform[] = [];
  if (spec.pad) steps.push(zeroPad(spec.pad));
  if (spec.resize) steps.push(resize(spec.resize));
  if (spec.normalize) steps.push(normalize(spec.normalize[0], spec.normalize[1]));
  return steps.length ? compose(steps) : undefined;
}

/** Zero border of p pixels on (C,H,W) or (N,C,H,W), as torchvision's transforms.Pad(p). */
export function zeroPad(p: number): Transform {
  const t: Transform = (x: Tensor): Tensor => noGrad(() => pad(x, [p, p, p, p]));
  t.batchable = true;
  return t;
}

/** The metadata keys that record a spec (only the ones set). */
export function specToInfo(spec: InputSpec): Record<string, string> {
  const info: Record<string, string> = {};
  if (spec.resize) info.resize = String(spec.resize);
  if (spec.pad) info.pad = String(spec.pad);
  if (spec.normalize) info.normalize = spec.normalize.join(",");
  return info;
}

/** The spec a checkpoint's metadata records; throws naming the key for a malformed value. */
export function specFromInfo(info: Record<string, string>, source = "checkpoint"): InputSpec {
  const int = (key: string): number | undefined => {
    if (info[key] === undefined) return undefined;
    const v = Number(info[key]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${source}: metadata ${key}="${info[key]}" is not a positive integer`);
    return v;
  };
  let norm: [number, number] | undefined;
  if (info.normalize !== undefined) {
    const [m, s] = info.normalize.split(",").map(Number);
    if (!Number.isFinite(m) || !Number.isFinite(s) || s === 0) throw new Error(`${source}: metadata normalize="${info.normalize}" is not "mean,std"`);
    norm = [m, s];
  }
  return { resize: int("resize"), pad: int("pad"), normalize: norm };
}
