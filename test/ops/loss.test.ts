// mseLoss and softMarginLoss: gradient checks with each reduction, values (softMarginLoss's
// against PyTorch 1.13's soft_margin_loss), and the shape errors; the homework's logistic loss
// (softMarginLoss as one node) gives the same bits as the four ops it replaces.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { Reduction } from "../../src/functional.js";
import { gradcheck, randn64 } from "../helpers/gradcheck.js";

for (const reduction of ["mean", "sum", "none"] as Reduction[]) {
  test(`gradcheck mseLoss reduction ${reduction} w.r.t. input and target`, () => {
    const g = new torch.Generator(51);
    gradcheck((a, b) => torch.F.mseLoss(a, b, { reduction }), [randn64([3, 4], g), randn64([3, 4], g)], { name: `mseLoss ${reduction}` });
  });
}

test("mseLoss values", () => {
  const a = torch.tensor([[1, 2], [3, 4]]);
  const b = torch.tensor([[1, 0], [5, 4]]);
  assert.equal(torch.F.mseLoss(a, b).item(), 2);
  assert.equal(torch.F.mseLoss(a, b, { reduction: "sum" }).item(), 8);
  assert.deepEqual(torch.F.mseLoss(a, b, { reduction: "none" }).toArray(), [[0, 4], [4, 0]]);
});

test("mseLoss refuses different shapes, naming both", () => {
  assert.throws(
    () => torch.F.mseLoss(torch.zeros([2, 3]), torch.zeros([3])),
    /^RangeError: mseLoss: input shape \[2, 3\] and target shape \[3\] differ/,
  );
});

for (const reduction of ["mean", "sum", "none"] as Reduction[]) {
  test(`gradcheck softMarginLoss reduction ${reduction} w.r.t. input and target`, () => {
    const g = new torch.Generator(52);
    gradcheck((a, b) => torch.F.softMarginLoss(a, b, { reduction }), [randn64([3, 4], g), randn64([3, 4], g)], { name: `softMarginLoss ${reduction}` });
  });
}

test("softMarginLoss matches PyTorch's soft_margin_loss (float64, each reduction, with the input's gradient)", () => {
  // torch.nn.functional.soft_margin_loss in PyTorch 1.13 on these inputs (float64).
  const expected = {
    mean: { loss: 10.744623433286721, grad: [[-0.0629234447996909, 0.03711668980421814, 0.15876235447040551], [-0.16666666632314106, -0.08333333333333333, 0.16666666666666666]] },
    sum: { loss: 64.46774059972033, grad: [[-0.37754066879814546, 0.22270013882530884, 0.9525741268224333], [-0.9999999979388464, -0.5, 1.0]] },
    none: { loss: [[0.4740769841801067, 0.25192908134537295, 3.048587351573742], [20.000000002061153, 0.6931471805599453, 40.0]], grad: [[-0.37754066879814546, 0.22270013882530884, 0.9525741268224333], [-0.9999999979388464, -0.5, 1.0]] },
  };
  for (const reduction of ["mean", "sum", "none"] as const) {
    const x = torch.tensor([[0.5, -1.25, 3.0], [-20.0, 0.0, 40.0]], { dtype: "float64", requiresGrad: true });
    const y = torch.tensor([[1, -1, -1], [1, 1, -1]], { dtype: "float64" });
    const loss = torch.F.softMarginLoss(x, y, { reduction });
    (reduction === "none" ? loss.sum() : loss).backward();
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    const got = loss.toArray();
    const want = expected[reduction].loss;
    assert.ok(typeof want === "number" ? close(got as number, want) : (got as number[][]).flat().every((v, i) => close(v, want.flat()[i])), `${reduction}: ${JSON.stringify(got)}`);
    assert.ok((x.grad!.toArray() as number[][]).flat().every((v, i) => close(v, expected[reduction].grad.flat()[i])), `${reduction} grad: ${JSON.stringify(x.grad!.toArray())}`);
  }
});

test("the logistic loss as one node gives the bits of -logsigmoid(y z) composed of four ops, forward and backward", () => {
  const g = new torch.Generator(53);
  for (const [dtype, n] of [["float32", 1], ["float32", 7], ["float64", 5]] as const) {
    const z = torch.randn([n, 1], { generator: g, dtype }).mul(3).detach();
    z.requiresGrad = true;
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1));
    const y = torch.tensor(labels, { dtype, requiresGrad: true });
    const fused = torch.models.logisticLoss(z, y);
    fused.backward();
    const [fz, fy] = [Array.from(z.grad!.data), Array.from(y.grad!.data)];
    z.grad = null;
    y.grad = null;
    const composed = torch.neg(torch.F.logsigmoid(y.reshape([n, 1]).mul(z))).mean();
    composed.backward();
    assert.equal(fused.item(), composed.item(), `${dtype} n=${n} loss`);
    assert.deepEqual(fz, Array.from(z.grad!.data), `${dtype} n=${n} d/dz`);
    assert.deepEqual(fy, Array.from(y.grad!.data), `${dtype} n=${n} d/dy`);
  }
});

test("softMarginLoss refuses different shapes, naming both", () => {
  assert.throws(
    () => torch.F.softMarginLoss(torch.zeros([2, 3]), torch.zeros([3])),
    /^RangeError: softMarginLoss: input shape \[2, 3\] and target shape \[3\] differ/,
  );
  assert.throws(
    () => torch.models.logisticLoss(torch.zeros([2, 1]), torch.zeros([3])),
    /^RangeError: softMarginLoss: input shape \[2, 1\] and target shape \[3\] hold different numbers of elements/,
  );
});
