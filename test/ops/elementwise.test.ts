// Elementwise ops: gradient checks for every unary and binary op (with broadcasting and number
// operands), values at extreme inputs, comparisons, shape errors, and the fused add + ReLU.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { addRelu } from "../../src/ops/elementwise.js";
import { awayFromZero64, gradcheck, randn64, uniform64 } from "../helpers/gradcheck.js";

type Unary = (x: Tensor) => Tensor;
type Binary = (a: Tensor, b: Tensor | number) => Tensor;

// Each unary op with an input generator that keeps away from its kinks and domain edges.
const unaries: [string, Unary, (g: torch.Generator) => Tensor][] = [
  ["neg", torch.neg, (g) => randn64([2, 3], g)],
  ["exp", torch.exp, (g) => randn64([2, 3], g)],
  ["log", torch.log, (g) => uniform64([2, 3], g, 0.2, 3)],
  ["sqrt", torch.sqrt, (g) => uniform64([2, 3], g, 0.2, 3)],
  ["abs", torch.abs, (g) => awayFromZero64([2, 3], g)],
  ["sigmoid", torch.sigmoid, (g) => randn64([2, 3], g)],
  ["tanh", torch.tanh, (g) => randn64([2, 3], g)],
  ["relu", torch.relu, (g) => awayFromZero64([2, 3], g)],
  ["logsigmoid", torch.F.logsigmoid, (g) => randn64([2, 3], g)],
];

for (const [name, op, make] of unaries) {
  test(`gradcheck ${name}`, () => {
    gradcheck(op, [make(new torch.Generator(1))], { name });
  });
}

// Per binary op: inputs for a and b of the given shapes, inside the op's domain.
const binaries: [string, Binary, (shape: number[], g: torch.Generator) => Tensor, (shape: number[], g: torch.Generator) => Tensor][] = [
  ["add", torch.add, randn64, randn64],
  ["sub", torch.sub, randn64, randn64],
  ["mul", torch.mul, randn64, randn64],
  ["div", torch.div, randn64, (s, g) => uniform64(s, g, 0.5, 2)],
  ["pow", torch.pow, (s, g) => uniform64(s, g, 0.5, 2), (s, g) => uniform64(s, g, -1.5, 1.5)],
  ["maximum", torch.maximum, randn64, randn64],
];

const broadcastCases: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [[2, 1, 4], [3, 1]],
  [[3, 1], [2, 1, 4]],
  [[2, 3], []],
  [[], [2, 3]],
  [[2, 3], [1, 1]],
  [[1, 3], [2, 1]],
];

for (const [name, op, makeA, makeB] of binaries) {
  for (const [sa, sb] of broadcastCases) {
    test(`gradcheck ${name} [${sa}] with [${sb}]`, () => {
      const g = new torch.Generator(7);
      gradcheck((a, b) => op(a, b), [makeA(sa, g), makeB(sb, g)], { name });
    });
  }
  test(`gradcheck ${name} with a number operand`, () => {
    const g = new torch.Generator(8);
    gradcheck((a) => op(a, 1.3), [makeA([2, 3], g)], { name: `${name}(a, 1.3)` });
  });
  test(`gradcheck ${name} where only one operand requires grad`, () => {
    const g = new torch.Generator(9);
    const a = makeA([2, 3], g);
    const b = makeB([3], g);
    b.requiresGrad = false;
    gradcheck((x) => op(x, b), [a], { name });
    a.requiresGrad = false;
    b.requiresGrad = true;
    gradcheck((y) => op(a, y), [b], { name });
  });
}

test("gradcheck pow with integer and fractional number exponents, negative bases where defined", () => {
  const g = new torch.Generator(10);
  for (const e of [2, 3, -1, 0]) gradcheck((x) => torch.pow(x, e), [awayFromZero64([2, 3], g)], { name: `pow(x, ${e})` });
  gradcheck((x) => x.pow(0.5), [uniform64([2, 3], g, 0.2, 3)], { name: "pow(x, 0.5)" });
  gradcheck((e) => torch.pow(torch.full([3], 2.5, { dtype: "float64" }), e), [randn64([3], g)], { name: "pow(2.5, e)" });
});

test("derivatives at the kinks follow PyTorch: relu'(0) = abs'(0) = 0", () => {
  const x = torch.tensor([0, 0], { dtype: "float64", requiresGrad: true });
  torch.add(torch.relu(x), torch.abs(x)).sum().backward();
  assert.deepEqual(Array.from(x.grad!.data), [0, 0]);
});

test("broadcast values match an explicit loop: [2,1,4] + [3,1]", () => {
  const a = torch.arange(8).reshape([2, 1, 4]);
  const b = torch.tensor([[10], [20], [30]]);
  const y = torch.add(a, b);
  assert.deepEqual(y.shape, [2, 3, 4]);
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 4; k++) assert.equal(y.data[(i * 3 + j) * 4 + k], i * 4 + k + (j + 1) * 10);
  assert.deepEqual(torch.sub(torch.tensor([1, 2, 3]), 1).toArray(), [0, 1, 2]);
  assert.deepEqual(torch.div(torch.tensor([[2, 4]]), torch.tensor([2])).toArray(), [[1, 2]]);
});

test("maximum splits the gradient evenly on ties, as PyTorch", () => {
  const a = torch.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
  const b = torch.tensor([2, 2, 2], { dtype: "float64", requiresGrad: true });
  torch.maximum(a, b).sum().backward();
  assert.deepEqual(Array.from(a.grad!.data), [0, 0.5, 1]);
  assert.deepEqual(Array.from(b.grad!.data), [1, 0.5, 0]);
});

test("logsigmoid and sigmoid are finite with finite gradients up to ±1000", () => {
  const xs = [-1000, -100, -20, -1, 0, 1, 20, 100, 1000];
  for (const dtype of ["float32", "float64"] as const) {
    const x = torch.tensor(xs, { dtype, requiresGrad: true });
    const y = torch.F.logsigmoid(x);
    y.sum().backward();
    assert.ok(Array.from(y.data).every(Number.isFinite), `${dtype} logsigmoid values ${y.data}`);
    assert.ok(Array.from(x.grad!.data).every(Number.isFinite), `${dtype} logsigmoid grads ${x.grad!.data}`);
    assert.equal(y.data[0], -1000);
    assert.equal(Math.abs(y.data[8]), 0);
    assert.ok(Math.abs(y.data[4] + Math.LN2) < 1e-6);
    assert.equal(x.grad!.data[0], 1);
    assert.equal(x.grad!.data[8], 0);
    const s = torch.sigmoid(torch.tensor(xs, { dtype }));
    assert.ok(Array.from(s.data).every(Number.isFinite));
    assert.equal(s.data[0], 0);
    assert.equal(s.data[8], 1);
  }
});

test("gradcheck logsigmoid on inputs up to ±1000", () => {
  const x = torch.tensor([-1000, -300, -20, -1, 0.5, 20, 300, 1000], { dtype: "float64", requiresGrad: true });
  gradcheck(torch.F.logsigmoid, [x], { name: "logsigmoid" });
});

test("comparisons broadcast, hold 0/1, and record no graph", () => {
  const a = torch.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const b = torch.tensor([2, 5, 3]);
  assert.deepEqual(a.eq(b).toArray(), [[0, 0, 1], [0, 1, 0]]);
  assert.deepEqual(a.ne(b).toArray(), [[1, 1, 0], [1, 0, 1]]);
  assert.deepEqual(a.lt(b).toArray(), [[1, 1, 0], [0, 0, 0]]);
  assert.deepEqual(a.le(b).toArray(), [[1, 1, 1], [0, 1, 0]]);
  assert.deepEqual(a.gt(3).toArray(), [[0, 0, 0], [1, 1, 1]]);
  assert.deepEqual(a.ge(b).toArray(), [[0, 0, 1], [1, 1, 1]]);
  assert.equal(a.gt(b).requiresGrad, false);
});

test("mixing float32 and float64 promotes to float64", () => {
  const y = torch.add(torch.ones([2]), torch.ones([2], { dtype: "float64" }));
  assert.equal(y.dtype, "float64");
  assert.equal(torch.mul(torch.ones([2]), 2).dtype, "float32");
});

test("binary shape errors name the op and both shapes", () => {
  const a = torch.zeros([2, 3]);
  const b = torch.zeros([4]);
  for (const [name, op] of [["add", torch.add], ["sub", torch.sub], ["mul", torch.mul], ["div", torch.div], ["pow", torch.pow], ["maximum", torch.maximum]] as const) {
    assert.throws(() => op(a, b), new RegExp(`^RangeError: ${name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast together`));
  }
  assert.throws(() => a.eq(b), /eq: shapes \[2, 3\] and \[4\] cannot be broadcast/);
  assert.throws(() => torch.add(torch.zeros([2, 1, 4]), torch.zeros([3, 2])), /add: shapes \[2, 1, 4\] and \[3, 2\]/);
});

test("add of one shape: each input gets its own gradient array (the engine copies dy once); x + x gives 2 dy; mixed dtypes", () => {
  const g = new torch.Generator(20);
  const [a, b] = [torch.randn([3, 40], { generator: g, requiresGrad: true }), torch.randn([3, 40], { generator: g, requiresGrad: true })];
  const dy = torch.randn([3, 40], { generator: g });
  torch.add(a, b).backward(dy);
  assert.notEqual(a.grad!.data, b.grad!.data, "two arrays");
  assert.deepEqual(Array.from(a.grad!.data), Array.from(dy.data));
  assert.deepEqual(Array.from(b.grad!.data), Array.from(dy.data));
  assert.notEqual(a.grad!.data, dy.data, "not the caller's gradient");
  const x = torch.randn([3, 40], { generator: g, requiresGrad: true });
  torch.add(x, x).backward(dy);
  assert.deepEqual(Array.from(x.grad!.data), Array.from(dy.data).map((v) => v + v));
  const x64 = randn64([2, 3], g);
  const y = torch.add(torch.ones([2, 3]), x64);
  assert.equal(y.dtype, "float64");
  gradcheck(torch.add, [x64, randn64([2, 3], g)], { name: "add same shape" });
});

test("gradcheck addRelu (the residual blocks' sum) on one shape and broadcast", () => {
  const g = new torch.Generator(21);
  const a = awayFromZero64([2, 3, 4], g, 0.5);
  const b = uniform64([2, 3, 4], g, -0.2, 0.2);
  gradcheck(addRelu, [a, b], { name: "addRelu" });
  gradcheck(addRelu, [a, uniform64([4], g, -0.2, 0.2)], { name: "addRelu broadcast" });
});

for (const backend of ["wasm", "js"] as const) {
  test(`addRelu = relu(add) bit for bit, values and gradients, small and large (${backend})`, (t) => {
    const before = torch.getBackend();
    t.after(() => torch.setBackend(before));
    torch.setBackend(backend);
    for (const shape of [[2, 3], [5, 4, 33, 33]]) {
      const run = (fused: boolean) => {
        const g = new torch.Generator(22);
        const [a, b] = [torch.randn(shape, { generator: g, requiresGrad: true }), torch.randn(shape, { generator: g, requiresGrad: true })];
        const y = fused ? addRelu(a, b) : torch.relu(torch.add(a, b));
        y.backward(torch.randn(shape, { generator: g }));
        return { op: y.gradFn!.op, values: [y, a.grad!, b.grad!].map((v) => Array.from(v.data)) };
      };
      const [fused, plain] = [run(true), run(false)];
      assert.equal(fused.op, "add", "fused: one node");
      assert.deepEqual(fused.values, plain.values);
    }
  });
}
