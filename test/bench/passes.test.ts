// The benchmark's passes (bench/src/passes.ts): the alternating order, and how each runner's
// passes merge into one run (best round as the figure, failures never hidden by a good pass).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mergePasses, passOrder } from "../../bench/src/passes.js";
import type { Run } from "../../bench/src/report.js";

const run = (results: Run["results"], status: Run["status"] = "ok"): Run => ({ id: "torchlet-wasm-2t", label: "torchlet wasm 2t", group: "torchlet", tag: "2t", status, results });

test("passes alternate direction: forward, backward, forward", () => {
  assert.deepEqual(passOrder(3, 0), [0, 1, 2]);
  assert.deepEqual(passOrder(3, 1), [2, 1, 0]);
  assert.deepEqual(passOrder(3, 2), [0, 1, 2]);
});

test("a timed workload keeps the best round of all passes, every round and the total iterations", () => {
  const merged = mergePasses([
    run({ gemm: { secondsPerIter: 0.03, rounds: [0.031, 0.03], iters: 60 } }),
    run({ gemm: { secondsPerIter: 0.025, rounds: [0.025, 0.027], iters: 70 } }),
  ]);
  assert.deepEqual(merged.results.gemm, { secondsPerIter: 0.025, rounds: [0.031, 0.03, 0.025, 0.027], iters: 130 });
  assert.equal(merged.status, "ok");
});

test("an error or unsupported outcome in any pass is kept, not replaced by another pass's time", () => {
  const merged = mergePasses([
    run({ a: { secondsPerIter: 1, rounds: [1], iters: 1 }, b: { unsupported: "no kernel" } }),
    run({ a: { error: "crashed" }, b: { secondsPerIter: 2, rounds: [2], iters: 1 } }),
  ]);
  assert.deepEqual(merged.results.a, { error: "crashed" });
  assert.deepEqual(merged.results.b, { unsupported: "no kernel" });
});

test("the run's status is the first pass's that is not ok; one pass is returned as it is", () => {
  const failed = run({}, "error");
  assert.equal(mergePasses([run({}), failed]).status, "error");
  const one = run({ x: { secondsPerIter: 3, rounds: [3], iters: 2 } });
  assert.deepEqual(mergePasses([one]), one);
  assert.throws(() => mergePasses([]), /no passes/);
});
