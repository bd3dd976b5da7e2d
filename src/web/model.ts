// A checkpoint's bytes -> a torchlet model, and one forward pass that also records each layer's
// output. No DOM here: the Node tests run exactly this code to compare with the page.

import { noGrad, sigmoid, softmax, Tensor, type models, type nn } from "../browser.js";
import { modelFromBytes } from "../train/checkpoint-model.js";

export interface LoadedModel {
  kind: "lenet5" | "logreg";
  model: nn.Module;
  /** Names of the prediction's classes, e.g. "0".."9", or "4" and "9" for logistic regression. */
  classes: string[];
  description: string;
}

export interface LayerOutput {
  /** The top-level child's name, e.g. "C1_layer". */
  name: string;
  /** (1, C, H, W) for convolution and pooling stages, (1, F) for fully connected ones. */
  output: Tensor;
}

export interface Prediction {
  logits: Float32Array;
  probabilities: number[];
  layers: LayerOutput[];
}

/**
 * Rebuilds the model with the loader `torchlet eval` and `viz` use (train/checkpoint-model.ts);
 * the page draws and predicts for the 28x28 LeNet-5 and logistic regression only.
 */
export function loadModel(bytes: Uint8Array, source: string): LoadedModel {
  const m = modelFromBytes(bytes, source);
  if (m.kind !== "lenet5" && m.kind !== "logreg") {
    throw new Error(`${source}: not a LeNet-5 or logistic-regression checkpoint but ${m.name} (the page draws those two only)`);
  }
  m.model.eval();
  if (m.kind === "lenet5") {
    const c3 = (m.model as models.LeNet5).c3;
    return { kind: "lenet5", model: m.model, classes: m.classes.map(String), description: `LeNet-5, C3 ${c3}, ${m.model.numParameters().toLocaleString("en-US")} parameters` };
  }
  const [first, second] = m.classes.map(String);
  return { kind: "logreg", model: m.model, classes: [first, second], description: `logistic regression, ${first} (-1) vs ${second} (+1)` };
}

/**
 * One image (28*28 floats in [0, 1]) through the model, recording every top-level child's
 * output by wrapping its forward for the duration of the call (as summary() does).
 */
export function predict(m: LoadedModel, image: Float32Array): Prediction {
  const layers: LayerOutput[] = [];
  const restore: (() => void)[] = [];
  for (const [name, child] of m.model.namedChildren()) {
    const original = child.forward;
    child.forward = (...inputs: Tensor[]) => {
      const y = original.apply(child, inputs);
      layers.push({ name, output: y });
      return y;
    };
    restore.push(() => (child.forward = original));
  }
  try {
    const logits = noGrad(() => m.model.forward(new Tensor(Float32Array.from(image), [1, 1, 28, 28])));
    const probabilities = m.kind === "lenet5" ? [...softmax(logits, 1).data] : twoClass(sigmoid(logits).data[0]);
    return { logits: Float32Array.from(logits.data), probabilities, layers };
  } finally {
    restore.forEach((r) => r());
  }
}

/** P(first digit), P(second digit) from sigmoid(z) = P(label +1). */
function twoClass(p: number): number[] {
  return [1 - p, p];
}
