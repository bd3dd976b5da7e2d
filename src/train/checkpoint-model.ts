// The one loader from checkpoint to model, for eval, viz and the web page: rebuilds the model a
// checkpoint holds, from its metadata (written by `torchlet train`) or, for a file written by
// PyTorch, from its key names; and says how its outputs become class labels. Zoo models
// (`torchlet train vgg11` ...) are rebuilt from the zoo name and build options in the metadata,
// with the input pipeline (resize / pad / normalize) the run used.
// Also the other way, model to checkpoint bytes (checkpointBytes), for the files `torchlet train`
// writes and the page's own runs. Pure (no node: imports): the page passes the file's bytes
// (modelFromBytes); Node reads and writes the files (train/checkpoint.ts).

import { lenet5, type C3Variant } from "../models/lenet5.js";
import { logisticRegression } from "../models/logistic.js";
import { buildModel, MODEL_ZOO } from "../models/zoo.js";
import type { Module } from "../nn/module.js";
import type { Transform } from "../data/transforms.js";
import { parseSafetensors, serializeSafetensors } from "../io/safetensors-codec.js";
import type { Tensor } from "../tensor.js";
import { DATASETS, inputSize, inputTransform, specFromInfo, type DatasetName } from "./recipes.js";

export const CHECKPOINT_FORMAT = "torchlet-checkpoint-v1";

/** A checkpoint file's bytes: the model's state dict in safetensors, `info` (run facts) as its metadata. */
export function checkpointBytes(model: Module, info: Record<string, string>): Uint8Array {
  return serializeSafetensors(model.stateDict(), { format: CHECKPOINT_FORMAT, ...info });
}

export interface CheckpointModel {
  /** "zoo": a network of models/zoo.ts, named by `name`. */
  kind: "lenet5" | "logreg" | "zoo";
  /** The model's name: lenet5, logreg or a zoo name (vgg11, ...). */
  name: string;
  /** The dataset it was trained on (checkpoints without the key: MNIST). */
  dataset: DatasetName;
  /** Maps dataset images (N,1,28,28) in [0,1] to the model's input (resized, padded, normalized as in training); batchable. */
  prepare: Transform;
  model: Module;
  /** A short description, e.g. "LeNet-5 (C3 sparse)". */
  description: string;
  /** The digits the model tells apart, in class order (0-9, or the two logistic-regression digits). */
  classes: number[];
  /** The predicted digit of each row of the model's output (N, 10) or (N, 1). */
  predict(output: Tensor): number[];
  /** The checkpoint's metadata (empty for a file without any). */
  info: Record<string, string>;
}

/**
 * Which C3 a LeNet-5 state dict holds, from its keys alone (they are what gets loaded): the full
 * C3's convolution is `C3_layer.0.conv_layer.*`, the sparse one's are `C3_layer.0.ch_3_layers.*`, ...
 */
export function c3Variant(keys: readonly string[]): C3Variant {
  return keys.some((k) => k.startsWith("C3_layer.0.conv_layer.")) ? "full" : "sparse";
}

/** modelFromCheckpoint of a safetensors file's bytes. */
export function modelFromBytes(bytes: Uint8Array, source = "checkpoint"): CheckpointModel {
  const { tensors, metadata } = parseSafetensors(bytes, source);
  return modelFromCheckpoint(tensors, metadata ?? {}, source);
}

export function modelFromCheckpoint(stateDict: Record<string, Tensor>, info: Record<string, string>, source = "checkpoint"): CheckpointModel {
  const keys = Object.keys(stateDict);
  const kind = info.model ?? (keys.includes("linear.weight") ? "logreg" : "lenet5");
  const dataset = (info.dataset ?? "mnist") as DatasetName;
  if (!DATASETS.includes(dataset)) throw new Error(`${source}: metadata dataset="${info.dataset}" is not one of ${DATASETS.join(", ")}`);
  const spec = specFromInfo(info, source);
  const prepare = inputTransform(spec) ?? identity;
  const base = { name: kind, dataset, prepare, info };
  if (Object.hasOwn(MODEL_ZOO, kind)) {
    const widthDivisor = Number(info.widthDivisor ?? 1);
    if (!Number.isInteger(widthDivisor) || widthDivisor < 1) throw new Error(`${source}: metadata widthDivisor="${info.widthDivisor}" is not a positive integer`);
    const { model } = buildModel(kind, { imageSize: inputSize(spec), widthDivisor });
    model.loadStateDict(stateDict);
    const narrow = widthDivisor !== 1 ? `, width / ${widthDivisor}` : "";
    const description = `${kind} (${inputSize(spec)}x${inputSize(spec)}${narrow})`;
    return { ...base, kind: "zoo", model, description, classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], predict: argmaxRows };
  }
  if (kind === "logreg") {
    const digits = (info.digits ?? "4,9").split(",").map(Number);
    const model = logisticRegression({ bias: keys.includes("linear.bias") });
    model.loadStateDict(stateDict);
    // The +-1 model: z < 0 is the first digit (label -1), z >= 0 the second (+1), as the seed counts.
    const predict = (out: Tensor) => Array.from(out.data, (z) => (z >= 0 ? digits[1] : digits[0]));
    return { ...base, kind, model, description: `logistic regression (${info.loss ?? "logistic"} loss), ${digits.join(" vs ")}`, classes: digits, predict };
  }
  if (kind !== "lenet5") throw new Error(`${source} holds a "${kind}" model, which this command does not know (lenet5, logreg, ${Object.keys(MODEL_ZOO).join(", ")})`);
  const c3 = c3Variant(keys);
  const model = lenet5({ c3 });
  model.loadStateDict(stateDict);
  return { ...base, kind, model, description: `LeNet-5 (C3 ${c3})`, classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], predict: argmaxRows };
}

const identity: Transform = Object.assign((x: Tensor) => x, { batchable: true });

/** Index of the largest value of each row of a (N, C) output. */
export function argmaxRows(out: Tensor): number[] {
  const [N, C] = out.shape;
  return Array.from({ length: N }, (_, n) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (out.data[n * C + c] > out.data[n * C + best]) best = c;
    return best;
  });
}
