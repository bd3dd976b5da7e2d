// matmul (1-D, 2-D, batched) and linear (with/without bias, 3-D input): gradient checks,
// values against a naive loop, and shape errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";

const matmulCases: [number[], number[], number[]][] = [
  // a shape, b shape, expected output shape
  [[3], [3], []],
  [[3], [3, 4], [4]],
  [[2, 3], [3], [2]],
  [[2, 3], [3, 4], [2, 4]],
  [[1, 1], [1, 1], [1, 1]],
  [[5, 1], [1, 3], [5, 3]],
  [[2, 2, 3], [3, 4], [2, 2, 4]],
  [[2, 2, 3], [3], [2, 2]],
  [[2, 2, 3], [2, 3, 4], [2, 2, 4]],
  [[2, 1, 2, 3], [2, 1, 3, 2], [2, 1, 2, 2]],
  // Batch dims broadcast as PyTorch's.
  [[2, 3], [2, 3, 4], [2, 2, 4]],
  [[3], [2, 3, 4], [2, 4]],
  [[2, 1, 2, 3], [3, 3, 2], [2, 3, 2, 2]],
  [[1, 2, 3], [2, 3, 4], [2, 2, 4]],
];

/**
 * out[..., i, j] = sum_p a[..., i, p] b[..., p, j] over 2-D or batched operands (batch dims
 * broadcast: a size-1 batch dim, or a missing one, reuses the same matrix).
 */
function naiveMatmul(a: Tensor, b: Tensor): number[] {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.ndim - 1];
  const nb = Math.max(a.ndim, b.ndim) - 2;
  const batchOf = (t: Tensor) => [...new Array<number>(nb - (t.ndim - 2)).fill(1), ...t.shape.slice(0, -2)];
  const [ba, bb] = [batchOf(a), batchOf(b)];
  const batch = ba.map((s, i) => Math.max(s, bb[i]));
  const out: number[] = [];
  const count = batch.reduce((x, y) => x * y, 1);
  for (let z = 0; z < count; z++) {
    // Flat offsets (in matrices) of a's and b's slice for output matrix z.
    let [za, zb, rest] = [0, 0, z];
    const idx = batch.map(() => 0);
    for (let d = nb - 1; d >= 0; d--) [idx[d], rest] = [rest % batch[d], Math.floor(rest / batch[d])];
    for (let d = 0; d < nb; d++) {
      za = za * ba[d] + (ba[d] === 1 ? 0 : idx[d]);
      zb = zb * bb[d] + (bb[d] === 1 ? 0 : idx[d]);
    }
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += a.data[za * M * K + i * K + p] * b.data[zb * K * N + p * N + j];
        out.push(s);
      }
  }
  return out;
}

for (const [sa, sb, so] of matmulCases) {
  test(`matmul [${sa}] @ [${sb}] has shape [${so}]; gradcheck`, () => {
    const g = new torch.Generator(11);
    const a = randn64(sa, g);
    const b = randn64(sb, g);
    const y = torch.matmul(a, b);
    assert.deepEqual(y.shape, so);
    // Values: compare with the naive product of the 2-D views.
    const a2 = a.ndim === 1 ? a.reshape([1, -1]) : a;
    const b2 = b.ndim === 1 ? b.reshape([-1, 1]) : b;
    const expected = naiveMatmul(a2, b2);
    Array.from(y.data).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `element ${i}: ${v} vs ${expected[i]}`));
    gradcheck(torch.matmul, [a, b], { name: "matmul" });
  });
}

test("matmul in float32 matches the naive loop to 1e-5 relative", () => {
  const g = new torch.Generator(12);
  const a = torch.randn([7, 17], { generator: g });
  const b = torch.randn([17, 5], { generator: g });
  const y = a.matmul(b);
  const expected = naiveMatmul(a, b);
  Array.from(y.data).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `element ${i}`));
});

const linearCases: [string, number[], boolean][] = [
  ["2-D input with bias", [4, 3], true],
  ["2-D input without bias", [4, 3], false],
  ["3-D input with bias", [2, 3, 3], true],
  ["1-D input with bias", [3], true],
];
for (const [name, xShape, withBias] of linearCases) {
  test(`gradcheck linear, ${name}`, () => {
    const g = new torch.Generator(13);
    const x = randn64(xShape, g);
    const w = randn64([5, 3], g);
    const b = randn64([5], g);
    const y = torch.F.linear(x, w, withBias ? b : null);
    assert.deepEqual(y.shape, [...xShape.slice(0, -1), 5]);
    // Same values as x @ W^T + b.
    const ref = withBias ? torch.add(torch.matmul(x, w.T), b) : torch.matmul(x, w.T);
    Array.from(y.data).forEach((v, i) => assert.ok(Math.abs(v - ref.data[i]) < 1e-12));
    if (withBias) gradcheck(torch.F.linear, [x, w, b], { name: "linear" });
    else gradcheck((xx, ww) => torch.F.linear(xx, ww), [x, w], { name: "linear" });
  });
}

test("matmul and linear shape errors name the op and both shapes", () => {
  assert.throws(() => torch.matmul(torch.zeros([2, 3]), torch.zeros([4, 5])), /^RangeError: matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(2x3 and 4x5\)/);
  assert.throws(() => torch.matmul(torch.zeros([3]), torch.zeros([4])), /matmul: shapes \[3\] and \[4\] cannot be multiplied/);
  assert.throws(() => torch.matmul(torch.zeros([2, 3]), torch.zeros([4])), /matmul: shapes \[2, 3\] and \[4\] cannot be multiplied/);
  assert.throws(() => torch.matmul(torch.zeros([3]), torch.zeros([4, 2])), /matmul: shapes \[3\] and \[4, 2\] cannot be multiplied/);
  assert.throws(() => torch.matmul(torch.zeros([2, 2, 3]), torch.zeros([3, 3, 4])), /^RangeError: matmul: .*cannot be broadcast/);
  assert.throws(() => torch.matmul(torch.zeros([]), torch.zeros([3])), /matmul: both arguments need at least 1 dimension/);
  assert.throws(
    () => torch.F.linear(torch.zeros([2, 4]), torch.zeros([5, 3])),
    /linear: expected input with last dimension 3, got shape \[2, 4\] \(weight shape \[5, 3\]\)/,
  );
  assert.throws(() => torch.F.linear(torch.zeros([2, 3]), torch.zeros([5, 3]), torch.zeros([4])), /linear: expected bias of shape \[5\], got \[4\]/);
});

// A batch-1 Linear(IN, 1) is the reference GEMM's two degenerate cases (kernels/ref/gemm.ts):
// the forward one dot product, the weight gradient one outer product with K = 1. Their fast loops
// must keep the documented summation order, so the results are checked bit for bit.
test("batch-1 linear: output and weight gradient have the bits of the reference GEMM's summation order", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const round = dtype === "float32" ? Math.fround : (v: number) => v;
    for (const IN of [1, 2, 3, 5, 6, 7, 9, 784, 787]) {
      const g = new torch.Generator(IN);
      const x = torch.randn([1, IN], { dtype, generator: g });
      const w = torch.randn([1, IN], { dtype, generator: g, requiresGrad: true });
      const y = torch.F.linear(x, w);
      // Two partial sums, over even and over odd p, each in increasing p, then s0 + s1.
      let [s0, s1] = [0, 0];
      for (let p = 0; p < IN; p++) {
        if (p % 2 === 0) s0 += x.data[p] * w.data[p];
        else s1 += x.data[p] * w.data[p];
      }
      assert.equal(y.data[0], round(s0 + s1), `${dtype} IN=${IN}: output`);
      const dy = torch.tensor([[-0.3]], { dtype });
      y.backward(dy);
      assert.deepEqual(Array.from(w.grad!.data), Array.from(x.data, (v) => round(dy.data[0] * v)), `${dtype} IN=${IN}: dW = dy x`);
    }
  }
});
