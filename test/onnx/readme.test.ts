// README's "Taking a model elsewhere" snippet, run as written (only the file path changed) on a
// LeNet-5 exported by torch.onnx.export: it must load the file in ONNX Runtime and print the
// digits torchlet's forward gives for the same images.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { argmaxRows } from "../../src/train/checkpoint-model.js";
import { evalForward } from "../helpers/ort.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
// Inside the repository, so that the snippet's `import "onnxruntime-node"` finds node_modules.
const dir = mkdtempSync(join(ROOT, "build", "readme-snippet-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("README's ONNX Runtime snippet runs an exported LeNet-5 and prints torchlet's digits", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = readme.split("<!-- readme-onnx-runtime-snippet -->")[1]?.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(block, "the snippet follows its marker in README.md");
  assert.ok(block.includes('"runs/lenet5-sparse.onnx"'));
  torch.manualSeed(7);
  const model = torch.models.lenet5();
  const onnx = join(dir, "lenet5.onnx");
  torch.onnx.export(model, torch.zeros([1, 1, 28, 28]), onnx);
  const script = join(dir, "snippet.mjs");
  writeFileSync(script, block.replace('"runs/lenet5-sparse.onnx"', JSON.stringify(onnx)));
  const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  // The snippet's images are zeros.
  const digits = argmaxRows(evalForward(model, torch.zeros([2, 1, 28, 28])));
  assert.equal(r.stdout, digits.map((d, n) => `image ${n}: digit ${d}\n`).join(""));
});
