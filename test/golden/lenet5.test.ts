// The homework's LeNet-5 against PyTorch (test/golden/lenet5.json), for both C3 variants:
// state-dict keys, logits and loss of a fixed batch, the gradient of every parameter, and the
// loss curves and final weights of 10 steps of SGD, SGD with Nesterov momentum and weight
// decay, and Adam with weight decay on that batch (which pins down the optimizers' rules).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { crossEntropySteps } from "../helpers/steps.js";
import type { Tensor } from "../../src/index.js";
import { assertClose, assertNear, loadGolden, toTensor, values, type Encoded } from "./golden.js";

type Dict = Record<string, Encoded>;

interface Variant {
  c3StateDict: Dict;
  keys: string[];
  numParameters: number;
  logits: Encoded;
  loss: number;
  grads: Dict;
  /** Optimizer options by run name; runs named adam* use Adam, the others SGD. */
  optim: Record<string, torch.optim.SGDOptions & torch.optim.AdamOptions>;
  runs: Record<string, { losses: number[]; final: Dict; finalSums: Record<string, number>; finalSumAbs: Record<string, number> }>;
}

interface Golden {
  torch: string;
  input: { shape: number[]; pixels: number[] };
  targets: number[];
  sharedStateDict: Dict;
  variants: Record<"full" | "sparse", Variant>;
}

const golden = loadGolden<Golden>("lenet5.json");
const x = torch.tensor(golden.input.pixels.map((p) => Math.fround(p / 255)), { shape: golden.input.shape });
const targets = torch.tensor(golden.targets);
/** float32 arithmetic in a different order than PyTorch's: loose relative, tight absolute. */
const TOL = { rtol: 1e-4, atol: 1e-5 };
const GRAD_TOL = { rtol: 1e-4, atol: 1e-5 }; // measured agreement: ~1e-5 relative

function loadModel(c3: "full" | "sparse"): torch.models.LeNet5 {
  const model = torch.models.lenet5({ c3 });
  const sd: Record<string, Tensor> = {};
  for (const [k, e] of Object.entries({ ...golden.sharedStateDict, ...golden.variants[c3].c3StateDict })) sd[k] = toTensor(e, "float32", false, false);
  model.loadStateDict(sd, { strict: true });
  return model;
}

function makeOptimizer(run: string, v: Variant, params: Tensor[]): torch.optim.Optimizer {
  // The JSON's option objects carry exactly the options PyTorch was given, under torchlet's names.
  const o = v.optim[run];
  return run.startsWith("adam") ? new torch.optim.Adam(params, o) : new torch.optim.SGD(params, o);
}

for (const c3 of ["full", "sparse"] as const) {
  const v = golden.variants[c3];
  describe(`LeNet-5 (${c3} C3) matches PyTorch ${golden.torch} (golden/lenet5.json)`, () => {
    test("state-dict keys (in order) and parameter count", () => {
      const model = torch.models.lenet5({ c3 });
      assert.deepEqual(Object.keys(model.stateDict()), v.keys);
      assert.deepEqual([...model.namedParameters()].map(([k]) => k), v.keys);
      assert.equal(model.numParameters(), v.numParameters);
    });

    test("logits, cross-entropy loss and the gradient of every parameter", () => {
      const model = loadModel(c3);
      const logits = model.forward(x);
      assertClose("logits", logits.data, logits.shape, v.logits, TOL);
      const loss = torch.F.crossEntropy(logits, targets);
      assertNear("loss", loss.item(), v.loss, 1e-5);
      loss.backward();
      for (const [k, p] of model.namedParameters()) {
        assert.ok(p.grad, `${k} got no gradient`);
        assertClose(`grad of ${k}`, p.grad.data, p.grad.shape, v.grads[k], GRAD_TOL);
      }
    });

    for (const run of Object.keys(v.runs)) {
      test(`10 steps of ${run} ${JSON.stringify(v.optim[run])}: losses and final weights`, () => {
        const expected = v.runs[run];
        const model = loadModel(c3);
        const opt = makeOptimizer(run, v, model.parameters());
        const losses = crossEntropySteps(model, opt, x, targets, 10);
        losses.forEach((l, i) => assertNear(`${run} loss at step ${i}`, l, expected.losses[i], 1e-4));
        const sd = model.stateDict();
        for (const [k, e] of Object.entries(expected.final)) assertClose(`${run} final ${k}`, sd[k].data, sd[k].shape, e, TOL);
        for (const [k, t] of Object.entries(sd)) {
          let s = 0;
          let sa = 0;
          for (const w of t.data) [s, sa] = [s + w, sa + Math.abs(w)];
          assertNear(`${run} final sum(|${k}|)`, sa, expected.finalSumAbs[k], 1e-4, 1e-7 * t.numel);
          assertNear(`${run} final sum(${k})`, s, expected.finalSums[k], 0, 1e-4 * expected.finalSumAbs[k]);
        }
      });
    }
  });
}

test("the golden weights decode to PyTorch's shapes", () => {
  for (const [k, e] of Object.entries(golden.sharedStateDict)) {
    assert.equal(values(e).length, e.shape.reduce((a, b) => a * b, 1), k);
  }
});
