// The backward engine's bookkeeping (autograd/backward.ts): which gradient arrays it may sum into
// in place, per-pass slots on nodes (retained graphs, graphs sharing nodes), and long graphs.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { makeResult } from "../../src/autograd/function.js";
import { alloc, type Storage } from "../../src/core/dtype.js";

const leaf = (data: number[]) => torch.tensor(data, { dtype: "float64", requiresGrad: true });
const values = (t: Tensor | null) => Array.from(t!.data);

/** y = x, whose backward hands back `given` (an array it did not allocate) instead of dy. */
function returning(x: Tensor, given: Storage): Tensor {
  return makeResult("returning", torch.add(x, 0).data, [...x.shape], [x], [() => given]);
}

test("a gradient array a backward function did not allocate is copied before anything is summed into it", () => {
  const x = leaf([1, 2, 3]);
  const saved = new Float64Array([10, 20, 30]); // a forward value, say: it must not change
  // x.sum()'s input comes first in the graph, so the engine reaches `returning` first and its
  // array is x's first gradient; x.sum()'s gradient is then summed into x's gradient.
  torch.add(x.sum(), returning(x, saved).sum()).backward();
  assert.deepEqual(values(x.grad), [11, 21, 31]);
  assert.deepEqual(Array.from(saved), [10, 20, 30]);
  assert.notEqual(x.grad!.data, saved);
});

test("one array returned for two inputs becomes two gradients, not one shared", () => {
  const [a, b] = [leaf([1, 2]), leaf([3, 4])];
  let shared: Storage | null = null;
  const both = (dy: Storage) => (shared ??= alloc("float64", 2).fill(dy[0]));
  const y = makeResult("both", torch.add(a, b).data, [2], [a, b], [both, both]);
  // a also gets 2a's gradient summed in: b's gradient must not see it.
  torch.add(y.sum(), a.mul(2).sum()).backward();
  assert.deepEqual(values(a.grad), [3, 3]);
  assert.deepEqual(values(b.grad), [1, 1]);
  assert.notEqual(a.grad!.data, b.grad!.data);
});

test("a node that hands dy on to one input twice and then to another gives each the right gradient", () => {
  const [x, z] = [leaf([1, 2]), leaf([3, 4])];
  const same = (dy: Storage) => dy; // as reshape's backward
  const y = makeResult("same3", torch.add(x, z).data, [2], [x, x, z], [same, same, same]);
  // Had x's gradient been dy itself, summing the second dy into it would double the dy that z gets.
  y.mul(torch.tensor([1, 10], { dtype: "float64" })).sum().backward();
  assert.deepEqual(values(x.grad), [2, 20]);
  assert.deepEqual(values(z.grad), [1, 10]);
});

test("a retained graph gives the same gradients on every pass, shared intermediates included", () => {
  const x = leaf([0.5, -1]);
  const h = x.exp();
  const loss = h.mul(h).add(h).sum(); // d/dx = 2 e^2x + e^x
  loss.backward(undefined, { retainGraph: true });
  const first = values(x.grad);
  first.forEach((v, i) => assert.ok(Math.abs(v - (2 * Math.exp(2 * x.data[i]) + Math.exp(x.data[i]))) < 1e-12));
  for (let pass = 1; pass < 3; pass++) {
    x.grad = null;
    loss.backward(undefined, { retainGraph: true });
    assert.deepEqual(values(x.grad), first, `pass ${pass}`);
  }
});

test("two roots sharing part of a graph: the second backward walks the shared nodes again", () => {
  const x = leaf([0, 1]);
  const h = x.exp();
  h.sum().backward(undefined, { retainGraph: true });
  h.mul(h).sum().backward();
  values(x.grad).forEach((v, i) => assert.ok(Math.abs(v - (Math.exp(x.data[i]) + 2 * Math.exp(2 * x.data[i]))) < 1e-12));
});

test("backward on a scalar leaf, twice, accumulates 1 + 1", () => {
  const x = leaf([5]);
  x.backward();
  x.backward();
  assert.deepEqual(values(x.grad), [2]);
});

test("a chain of 20,000 ops backpropagates without overflowing the stack", () => {
  const x = leaf([1, 2]);
  let y = x;
  for (let i = 0; i < 20000; i++) y = y.add(1);
  y.sum().backward();
  assert.deepEqual(values(x.grad), [1, 1]);
});
