// The lecture's LeNet and d2l's modern / improved LeNets: the shapes the seeds print, parameter
// counts and state-dict keys against PyTorch (test/golden/course-models.json), and the forward pass
// against PyTorch's with the same weights.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { checkValues, golden, stateDictFacts } from "./det-fill.js";
import { childRows, goldenRows } from "./summary-rows.js";

test("lecture LeNet prints the lecture's shapes for batch 1 and 10, flattened response included", () => {
  const net = torch.models.lectureLeNet();
  for (const n of [1, 10]) {
    const printed: string[] = [];
    net.probe = (name, t) => printed.push(`${name} [${t.shape.join(", ")}]`);
    torch.noGrad(() => net.forward(torch.zeros([n, 1, 32, 32])));
    assert.deepEqual(printed, [
      `conv1 [${n}, 6, 28, 28]`, `pool1 [${n}, 6, 14, 14]`, `conv2 [${n}, 16, 10, 10]`, `pool2 [${n}, 16, 5, 5]`,
      `flattened [${n}, 400]`, `fc1 [${n}, 120]`, `fc2 [${n}, 84]`, `fc3 [${n}, 10]`,
    ]);
  }
});

test("lecture LeNet: the lecture's parameter shapes, total 61706, PyTorch's keys and child shapes", () => {
  const net = torch.models.lectureLeNet();
  assert.deepEqual(net.parameters().map((p) => p.shape), [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 400], [120], [84, 120], [84], [10, 84], [10]]);
  const g = golden.facts.lectureLeNet;
  assert.equal(net.numParameters(), 61706);
  assert.equal(net.numParameters(), g.params);
  assert.deepEqual(stateDictFacts(net), g.keys);
  assert.deepEqual(childRows(net, g.input), goldenRows(g.layers));
});

for (const [name, make] of [["modernLeNet", torch.models.modernLeNet], ["improvedLeNet", torch.models.improvedLeNet]] as const) {
  test(`${name}: parameters, keys and the output shape of each layer call match PyTorch`, () => {
    const g = golden.facts[name];
    const net = make();
    assert.equal(net.numParameters(), g.params);
    assert.deepEqual(stateDictFacts(net), g.keys);
    // The shared pooling module appears once per call, as PyTorch's hooks record it.
    assert.deepEqual(childRows(net, g.input), goldenRows(g.layers));
  });
}

test("improved LeNet: 422,026 parameters and the seed's 1152 flattened features", () => {
  const s = torch.summary(torch.models.improvedLeNet(), [1, 1, 28, 28]);
  assert.equal(s.totalParams, 422026);
  assert.deepEqual(s.rows.find((r) => r.name === "fc1")?.params, 1152 * 256 + 256);
});

for (const name of ["lectureLeNet", "modernLeNet", "improvedLeNet"] as const) {
  test(`${name}: forward pass equals PyTorch's with the same weights`, () => {
    checkValues(name, torch.models[name]());
  });
}

test("a 28x28 input to the 32x32 lecture LeNet fails at the view, naming both shapes", () => {
  assert.throws(() => torch.models.lectureLeNet().forward(torch.zeros([1, 1, 28, 28])), /reshape: shape \[-1, 400\] is invalid for input of size 256 \(shape \[1, 16, 4, 4\]\)/);
});
