// ONNX Runtime (onnxruntime-node, a devDependency) as the independent reader of exported files.

import ort from "onnxruntime-node";
import { noGrad } from "../../src/autograd/grad-mode.js";
import type { Module } from "../../src/nn/module.js";
import type { Tensor } from "../../src/tensor.js";

/** Runs an ONNX model (file path or bytes) on one float32 input; returns the named output. */
export async function runOnnx(model: string | Uint8Array, inputName: string, x: Tensor, outputName = "output"): Promise<{ data: Float32Array; dims: number[] }> {
  const session = typeof model === "string" ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const result = await session.run({ [inputName]: new ort.Tensor("float32", Float32Array.from(x.data), x.shape) });
  const y = result[outputName];
  return { data: y.data as Float32Array, dims: [...y.dims] };
}

/** model's eval-mode output, the model's mode put back. */
export function evalForward(model: Module, x: Tensor): Tensor {
  const training = model.training;
  model.eval();
  try {
    return noGrad(() => model.forward(x));
  } finally {
    model.train(training);
  }
}

/** max |a - b| / max |b|: the relative difference of an output from its reference. */
export function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}
