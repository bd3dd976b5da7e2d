// Deterministic weights and inputs, the same formulas as det_fill / det_input in
// test/golden/generate_course_models.py, so a model's forward pass can be compared with PyTorch's
// without storing millions of weights in the JSON.

import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { assertClose, loadGolden, type Tolerance } from "../golden/golden.js";

/**
 * n values in [-1, 1) from murmur3's fmix32 of (stream, index): hash_uniform in the generator,
 * bit for bit (Math.imul is the same multiplication modulo 2^32 as the generator's uint64 & mask).
 */
export function hashUniform(n: number, stream: number): Float64Array {
  const out = new Float64Array(n);
  const offset = Number((0x9e3779b9n * BigInt(stream + 1)) & 0xffffffffn);
  for (let j = 0; j < n; j++) {
    // `^` gives a signed int32 in JavaScript: h >>> 0 reads it back as unsigned.
    let h = (j + offset) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    h = Math.imul(h, 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
    out[j] = h / 2 ** 31 - 1;
  }
  return out;
}

/** Fills every floating state-dict entry: see det_fill in the generator for the formulas. */
export function detFill(model: torch.nn.Module): void {
  let k = 0;
  for (const [name, t] of Object.entries(model.stateDict())) {
    if (name.endsWith("num_batches_tracked")) continue; // an integer counter in PyTorch
    const s = hashUniform(t.numel, k++);
    const scale = Math.sqrt(3 / (t.numel / t.shape[0]));
    const d = t.data;
    for (let j = 0; j < d.length; j++) {
      if (t.ndim >= 2) d[j] = s[j] * scale;
      else if (name.endsWith("running_var")) d[j] = 1 + 0.5 * s[j] * s[j];
      else if (name.endsWith("weight")) d[j] = 1 + 0.2 * s[j];
      else d[j] = 0.1 * s[j];
    }
  }
}

export function detInput(shape: number[]): Tensor {
  return torch.tensor(Float32Array.from(hashUniform(shape.reduce((a, b) => a * b, 1), 1000)), { shape });
}

export interface ModelFacts {
  input: number[];
  output: number[];
  params: number;
  keys: [string, number[]][];
  layers: [string, string, number[]][];
}

export interface ValuesCase {
  input: number[];
  train: boolean;
  output: { shape: number[]; data: number[] };
}

export const golden = loadGolden<{ facts: Record<string, ModelFacts>; values: Record<string, ValuesCase> }>("course-models.json");

/** Float32 through a deep net: a little looser than the op-level F32 tolerance. */
const DEEP: Tolerance = { rtol: 2e-4, atol: 2e-4 };

/**
 * Materialises lazy layers with one pass on zeros, fills the weights, runs the golden input
 * in the golden mode and compares the output with PyTorch's.
 */
export function checkValues(name: string, model: torch.nn.Module): void {
  const c = golden.values[name];
  torch.noGrad(() => model.forward(torch.zeros(c.input)));
  detFill(model);
  model.train(c.train);
  const y = torch.noGrad(() => model.forward(detInput(c.input)));
  assertClose(`${name} output`, y.data, y.shape, c.output, DEEP);
}

/** State-dict keys and shapes, in order, as PyTorch's. */
export function stateDictFacts(model: torch.nn.Module): [string, number[]][] {
  return Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape]]);
}
