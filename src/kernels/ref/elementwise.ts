// Elementwise reference kernels for the activations that the WebAssembly backend replaces
// (whole-array loops: a loop calling a per-element formula is several times slower).
//   x, y have the same length n.

import type { Storage } from "../../core/dtype.js";

/**
 * The activations that a layer's forward kernel may apply to its output (ops/fused.ts): the
 * names of their forward and backward kernels (the same in every backend's table), and their code
 * in the WebAssembly kernels (assembly/elementwise/elementwise.ts ACT_*). Each backward takes the
 * activation's output (ReLU's too: y > 0 exactly where x > 0).
 */
export const ACTIVATIONS = {
  tanh: { forward: "tanhForward", backward: "tanhBackward", code: 1 },
  relu: { forward: "reluForward", backward: "reluBackward", code: 2 },
  sigmoid: { forward: "sigmoidForward", backward: "sigmoidBackward", code: 3 },
} as const;
export type Activation = keyof typeof ACTIVATIONS;

const forwards = { tanhForward, reluForward, sigmoidForward };

/** y = act(y), in place. */
export function activate(y: Storage, act: Activation): void {
  forwards[ACTIVATIONS[act].forward](y, y);
}

/** y[i] = tanh(x[i]). */
export function tanhForward(x: Storage, y: Storage): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
}

/**
 * dx[i] = dy[i] * (1 - y[i]^2), the gradient of tanh from its output, in the storage's precision:
 * float32 rounds after each operation, as PyTorch's float kernel does (and the WebAssembly one).
 * NOTE: an operation on float32 values done in float64 and then rounded to float32 is the
 * correctly rounded float32 result (53 >= 2 * 24 + 2 bits), so Math.fround after each step
 * reproduces float32 arithmetic exactly.
 */
export function tanhBackward(y: Storage, dy: Storage, dx: Storage): void {
  if (dx instanceof Float64Array) {
    for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
    return;
  }
  const f = Math.fround;
  for (let i = 0; i < y.length; i++) dx[i] = dy[i] * f(1 - f(y[i] * y[i]));
}

/**
 * y[i] = 1 / (1 + e^-x[i]), written for both signs so that exp never overflows: 1 / (1 + e^-x)
 * for x >= 0, e^x / (1 + e^x) below (ops/elementwise.ts sigmoidScalar, in float64).
 */
export function sigmoidForward(x: Storage, y: Storage): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

/**
 * dx[i] = dy[i] * (1 - y[i]) * y[i], the gradient from the output in PyTorch's order, float32
 * rounding after each operation as tanhBackward's.
 */
export function sigmoidBackward(y: Storage, dy: Storage, dx: Storage): void {
  if (dx instanceof Float64Array) {
    for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i]) * y[i];
    return;
  }
  const f = Math.fround;
  for (let i = 0; i < y.length; i++) dx[i] = f(f(dy[i] * f(1 - y[i])) * y[i]);
}

/** y[i] = x[i] > 0 ? x[i] : 0 (NaN gives 0, as the op's scalar formula). */
export function reluForward(x: Storage, y: Storage): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

/** dx[i] = x[i] > 0 ? dy[i] : 0. */
export function reluBackward(x: Storage, dy: Storage, dx: Storage): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
}

/** y[i] = act(a[i] + b[i]); y may be a or b (the autograd engine's accumulation: a += b). */
export function addForward(a: Storage, b: Storage, y: Storage, act?: Activation): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i] + b[i];
  if (act) activate(y, act);
}
