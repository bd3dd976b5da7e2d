// The optimizers' updates over flat arrays, as torch.optim computes them (the optimizer classes in
// src/optim/ keep the state and the step count, these do the arithmetic): one pass over a
// parameter w, its gradient g and its state.
//   SGD:  d = g + weightDecay w;  buf = d (first step) | momentum buf + (1 - dampening) d
//         w -= lr (nesterov ? d + momentum buf : buf)       (momentum > 0; else w -= lr d)
//   Adam: d = g + weightDecay w;  m = b1 m + (1 - b1) d;  v = b2 v + (1 - b2) d^2
//         w -= stepSize m / (sqrt(v) / bc2Sqrt + eps)   (stepSize = lr / (1 - b1^t), bc2Sqrt = sqrt(1 - b2^t))
// SGD computes each value in float64 and rounds once when it stores it (PyTorch's float32 kernels
// round p + alpha g once too: a fused multiply-add); Adam, float32 op by op (see adamUpdate). The
// WebAssembly kernels give the same bits.

import type { Storage } from "../../core/dtype.js";

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** The first step with momentum: the buffer starts as the gradient. */
  first: boolean;
}

/** One SGD step over w (n values) with gradient g; buf: the momentum buffer (unused without momentum). */
export function sgdUpdate(w: Storage, g: Storage, buf: Storage | null, h: SgdHyper): void {
  const { lr, momentum, dampening, nesterov, weightDecay, first } = h;
  const n = w.length;
  if (momentum === 0 && weightDecay === 0) {
    // NOTE: no decay term at all rather than 0 * w, as PyTorch skips it: an infinite weight
    // stays infinite instead of turning NaN (and the loop does half the work). Unrolled by
    // eight: 0.81 -> 0.60 us for 784 weights.
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      w[i] -= lr * g[i];
      w[i + 1] -= lr * g[i + 1];
      w[i + 2] -= lr * g[i + 2];
      w[i + 3] -= lr * g[i + 3];
      w[i + 4] -= lr * g[i + 4];
      w[i + 5] -= lr * g[i + 5];
      w[i + 6] -= lr * g[i + 6];
      w[i + 7] -= lr * g[i + 7];
    }
    if (i < n) sgdTail(w, g, lr, i, n);
    return;
  }
  if (momentum === 0) {
    for (let i = 0; i < n; i++) w[i] -= lr * (g[i] + weightDecay * w[i]);
    return;
  }
  const b = buf!;
  for (let i = 0; i < n; i++) {
    const d = weightDecay === 0 ? g[i] : g[i] + weightDecay * w[i];
    b[i] = first ? d : momentum * b[i] + (1 - dampening) * d;
    w[i] -= lr * (nesterov ? d + momentum * b[i] : b[i]);
  }
}

/**
 * The plain update's last n % 8 weights.
 * NOTE: a function of its own, not a second loop in sgdUpdate(): V8 compiles the caller on-stack
 * (OSR) inside the unrolled loop of a large tensor, and that code deoptimized at the second
 * loop on every such call ("insufficient type feedback", ~1 deopt a LeNet-5 step, seen with
 * node --trace-deopt), which also sent it back to the optimizing compiler again and again.
 */
function sgdTail(w: Storage, g: Storage, lr: number, i: number, n: number): void {
  for (; i < n; i++) w[i] -= lr * g[i];
}

export interface AdamHyper {
  stepSize: number;
  b1: number;
  b2: number;
  eps: number;
  bc2Sqrt: number;
  weightDecay: number;
}

/**
 * One Adam step over w with gradient g and moments m, v (all n values). Float32 arrays compute as
 * PyTorch's float32 tensors do, each op rounded to float32 (the hyperparameters too); float64
 * arrays in float64.
 * NOTE: op by op, not once per value as SGD: the square root and two divisions per value are the
 * update's cost, and four float32 lanes do them at twice the rate of two float64 ones
 * (WebAssembly, 422k parameters: see kernels/wasm/optim/optim.ts).
 */
export function adamUpdate(w: Storage, g: Storage, m: Storage, v: Storage, h: AdamHyper): void {
  if (w instanceof Float32Array) return adamUpdate32(w, g, m, v, h);
  const { stepSize, b1, b2, eps, bc2Sqrt, weightDecay } = h;
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const d = weightDecay === 0 ? g[i] : g[i] + weightDecay * w[i];
    m[i] = b1 * m[i] + (1 - b1) * d;
    v[i] = b2 * v[i] + (1 - b2) * d * d;
    w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
  }
}

function adamUpdate32(w: Storage, g: Storage, m: Storage, v: Storage, h: AdamHyper): void {
  const f = Math.fround;
  // NOTE: a float64 op on two float32 values, rounded to float32, is the float32 op exactly
  // (53 >= 2 * 24 + 2 bits), the square root included.
  const [stepSize, b1, b2, eps, bc2Sqrt, weightDecay] = [h.stepSize, h.b1, h.b2, h.eps, h.bc2Sqrt, h.weightDecay].map(f);
  const [a1, a2] = [f(1 - b1), f(1 - b2)];
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const d = weightDecay === 0 ? g[i] : f(g[i] + f(weightDecay * w[i]));
    const mi = (m[i] = f(f(b1 * m[i]) + f(a1 * d)));
    const vi = (v[i] = f(f(b2 * v[i]) + f(f(a2 * d) * d)));
    const denom = f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps);
    w[i] = f(w[i] - f(f(stepSize * mi) / denom));
  }
}
