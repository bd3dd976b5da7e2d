// The backend switch: setBackend / getBackend, the default, unknown names, and a LeNet-5 step
// giving the same loss and gradients under both backends.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../src/index.js";
import { assertAgree } from "./parity.js";
import { backendKernels, gemmFor, refKernels, TINY_GEMM } from "../../../src/kernels/index.js";

test("the default backend is wasm (the module is built and agrees), or TORCHLET_BACKEND's", () => {
  assert.equal(torch.getBackend(), process.env.TORCHLET_BACKEND ?? "wasm");
});

test("setBackend switches and rejects unknown names, naming the choices", () => {
  const before = torch.getBackend();
  try {
    torch.setBackend("js");
    assert.equal(torch.getBackend(), "js");
    torch.setBackend("wasm");
    assert.equal(torch.getBackend(), "wasm");
    assert.throws(() => torch.setBackend("gpu" as "js"), /setBackend: unknown backend "gpu" \(available: "js", "wasm"\)/);
  } finally {
    torch.setBackend(before);
  }
});

function lenetStep(): number[] {
  torch.manualSeed(3);
  const model = torch.models.lenet5({ c3: "full" });
  const x = torch.randn([4, 1, 28, 28]);
  const labels = torch.tensor([1, 7, 3, 0]);
  const loss = torch.F.crossEntropy(model.forward(x), labels);
  loss.backward();
  return [loss.item(), ...model.parameters().flatMap((p) => Array.from(p.grad!.data))];
}

test("a LeNet-5 forward and backward gives the same loss and gradients under js and wasm", () => {
  const before = torch.getBackend();
  try {
    torch.setBackend("js");
    const want = lenetStep();
    torch.setBackend("wasm");
    const got = lenetStep();
    assertAgree("LeNet-5 loss and gradients", got, want, 1e-4);
  } finally {
    torch.setBackend(before);
  }
});

test("products below TINY_GEMM run the reference GEMM on either backend; larger ones the backend's", () => {
  const before = torch.getBackend();
  try {
    torch.setBackend("wasm");
    assert.equal(gemmFor(1, 1, 784), refKernels.gemm, "a batch-1 logistic regression's product");
    assert.equal(gemmFor(1, 784, 1), refKernels.gemm);
    assert.equal(gemmFor(100, 120, 400), backendKernels("wasm").gemm, "LeNet's C5 at batch 100");
    assert.ok(TINY_GEMM > 784 && TINY_GEMM <= 48000, "LeNet's batch-1 C5 (48000) still goes to WebAssembly");
    torch.setBackend("js");
    assert.equal(gemmFor(100, 120, 400), refKernels.gemm);
  } finally {
    torch.setBackend(before);
  }
});
