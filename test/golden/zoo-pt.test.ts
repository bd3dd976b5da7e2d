// Every zoo model both ways against PyTorch (test/golden/generate_zoo_pt.py wrote the files):
//   PyTorch -> torchlet: a state dict of PyTorch-initialised weights, saved by torch.save as a
//     .pt, loads with torch.load and strict=True into torchlet's model, which then gives
//     PyTorch's eval-mode output on the same input.
//   torchlet -> PyTorch: torchlet's state dict has PyTorch's keys, in PyTorch's order, with its
//     shapes, which is what PyTorch's load_state_dict(strict=True) checks. (The values crossing
//     that way are checked with PyTorch itself by test/golden/check_zoo_to_pytorch.py.)

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { MODEL_ZOO, buildModel, type ZooOptions } from "../../src/models/zoo.js";
import { detInput } from "../models/det-fill.js";
import { assertClose, loadGolden, repoRoot } from "./golden.js";

interface ZooCase {
  options: ZooOptions;
  input: number[];
  file: string;
  compacted: string[];
  keys: [string, number[]][];
  output: { shape: number[]; data: number[] };
}

const golden = loadGolden<{ torch: string; models: Record<string, ZooCase> }>("zoo_pt.json");
/** Float32 through a deep net, as the other model-level golden tests allow. */
const DEEP = { rtol: 2e-4, atol: 2e-4 };

describe(`the zoo against PyTorch ${golden.torch} (golden/zoo_pt.json, golden/zoo_pt/*.pt)`, () => {
  test("every zoo model has a case, and every case is a zoo model", () => {
    assert.deepEqual(Object.keys(golden.models).sort(), Object.keys(MODEL_ZOO).sort());
  });

  for (const name of Object.keys(MODEL_ZOO)) {
    const c = golden.models[name];
    if (!c) continue; // the test above fails

    test(`${name}: PyTorch's .pt loads with strict=True and gives PyTorch's output`, () => {
      const { model, inputShape } = buildModel(name, c.options);
      assert.deepEqual(inputShape.slice(1), c.input.slice(1));
      model.loadStateDict(torch.load(join(repoRoot(), "test", "golden", c.file)), { strict: true });
      model.eval();
      const y = torch.noGrad(() => model.forward(detInput(c.input)));
      assertClose(`${name} output`, y.data, y.shape, c.output, DEEP);
    });

    test(`${name}: torchlet's state dict has PyTorch's keys, order and shapes`, () => {
      const { model } = buildModel(name, c.options);
      const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]);
      assert.deepEqual(ours, c.keys);
    });
  }
});
