// train/checkpoint-model.ts, the one loader from checkpoint to model (eval, viz, the page): the
// rule that tells the C3 variants apart, and the page's loader built on it.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { serializeSafetensors } from "../../src/io/safetensors-codec.js";
import { c3Variant, modelFromBytes } from "../../src/train/checkpoint-model.js";
import { loadModel } from "../../src/web/model.js";

const bytesOf = (m: torch.nn.Module, metadata: Record<string, string> = {}) => serializeSafetensors(m.stateDict(), metadata);

test("the C3 variant comes from the state dict's keys, whatever the metadata says", () => {
  for (const c3 of ["sparse", "full"] as const) {
    const model = torch.models.lenet5({ c3 });
    assert.equal(c3Variant(Object.keys(model.stateDict())), c3);
    // A PyTorch file (no metadata) and a torchlet one whose metadata disagrees load as what they hold.
    for (const metadata of [{}, { model: "lenet5", c3: c3 === "full" ? "sparse" : "full" }] as Record<string, string>[]) {
      const m = modelFromBytes(bytesOf(model, metadata), "test");
      assert.equal((m.model as torch.models.LeNet5).c3, c3);
      assert.deepEqual(Array.from(m.model.stateDict()["F7_layer.weight"].data), Array.from(model.stateDict()["F7_layer.weight"].data));
    }
  }
});

test("the page loads LeNet-5 and logistic regression through the same loader, and refuses zoo models by name", () => {
  const lenet = loadModel(bytesOf(torch.models.lenet5({ c3: "full" })), "a.safetensors");
  assert.deepEqual([lenet.kind, lenet.classes.length, lenet.model.training], ["lenet5", 10, false]);
  assert.match(lenet.description, /^LeNet-5, C3 full, 61,706 parameters$/);
  const logreg = loadModel(bytesOf(torch.models.logisticRegression({ bias: false }), { model: "logreg", digits: "3,8" }), "b.safetensors");
  assert.deepEqual([logreg.kind, logreg.classes, logreg.description], ["logreg", ["3", "8"], "logistic regression, 3 (-1) vs 8 (+1)"]);
  const zoo = torch.models.modernLeNet();
  assert.throws(() => loadModel(bytesOf(zoo, { model: "modern-lenet" }), "c.safetensors"), /c\.safetensors: not a LeNet-5 or logistic-regression checkpoint but modern-lenet/);
});
