// The documentation's examples run and hold (test/docs/examples.ts says what is an example and
// how its comments become checks; docs/writing-docs.md is the contributors' version), and every
// public op, layer, optimizer, data set, loader and model builder has one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { repoRoot } from "../golden/golden.js";
import { exportedDeclarations, markdownExamples, sourceExamples, type Example } from "./examples.js";
import { runExample } from "./run-example.js";
import { typeErrors } from "./typecheck.js";

const root = repoRoot();
const defaultBackend = torch.getBackend();
const markdown = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const examples = [...sourceExamples(root), ...markdown.flatMap((file) => markdownExamples(root, file))];

/** Examples write their files (io.save) into a temporary folder, not the repository. */
async function inTempDir<T>(run: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), "torchlet-examples-"));
  process.chdir(dir);
  try {
    return await run();
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Markdown pages' programs train on MNIST as a user would; their test cuts MNIST to 200
 * training and 100 test images (a `limit` of their own, if smaller, stays) so that they run in
 * seconds. What they print is collected, not shown.
 */
function markdownScope(printed: string[]): Record<string, unknown> {
  class MNIST extends torch.data.MNIST {
    constructor(options: torch.data.MNISTOptions = {}) {
      const cut = options.train === false ? 100 : 200;
      super({ ...options, limit: Math.min(options.limit ?? cut, cut) });
    }
  }
  const data = { ...torch.data, MNIST };
  const console = { log: (...args: unknown[]) => printed.push(args.join(" ")) };
  return { torch: { ...torch, data }, data, console };
}

const LENET5 = examples.find((e) => e.name === "lenet5");

const byFile = new Map<string, Example[]>();
for (const e of examples.filter((x) => x !== LENET5)) {
  const file = e.where.split(":")[0];
  byFile.set(file, [...(byFile.get(file) ?? []), e]);
}

// Fashion-MNIST's files come from a Debian package (.ci/run installs it); without them its
// examples are skipped, as test/data/fashion-mnist.test.ts is.
const needsMissingData = (e: Example) => e.code.includes("FashionMNIST(") && !existsSync(torch.data.FASHION_MNIST_ROOT);

for (const [file, list] of byFile) {
  const skipped = list.filter(needsMissingData).length;
  test(`the ${list.length} example(s) of ${file} run and state what they compute`, { skip: skipped === list.length && "dataset-fashion-mnist is not installed" }, async (t) => {
    if (skipped) t.diagnostic(`${skipped} example(s) skipped: dataset-fashion-mnist is not installed`);
    await inTempDir(async () => {
      for (const example of list.filter((e) => !needsMissingData(e))) {
        // Each example starts from the same state: seeded, recording gradients, the default backend.
        torch.manualSeed(0);
        torch.setGradEnabled(true);
        torch.setBackend(defaultBackend);
        const { checks } = await runExample(example, example.where.startsWith("src/") ? {} : markdownScope([]));
        assert.ok(checks > 0, `${example.where}: an example states at least one result (// =>, // shape or // throws):\n${example.code}`);
      }
    });
  });
}

test("the guide's LeNet-5 script (docs/coming-from-pytorch.md) runs and prints what the homework's prints", async () => {
  assert.ok(LENET5, "docs/coming-from-pytorch.md has a <!-- ts example lenet5 --> section");
  torch.manualSeed(0);
  const printed: string[] = [];
  await inTempDir(() => runExample(LENET5, markdownScope(printed)));
  assert.equal(printed[0], "Total number of trainable parameters: 60806", "the homework's count for the sparse C3");
  assert.deepEqual(printed.slice(1, 11), Array.from({ length: 10 }, (_, e) => `${e}th epoch starting.`));
  assert.match(printed[11], /^Time ellapsed in training is: [\d.]+$/);
  const test = /^\[Test set\] Average loss: (\d+\.\d{4}), Accuracy: (\d+)\/100 \((\d+\.\d\d)%\)\n$/.exec(printed[12]);
  assert.ok(test, printed[12]);
  // 20 SGD steps on 200 images: the test loss falls below chance's ln(10)/100 per image.
  assert.ok(Number(test[1]) < Math.log(10) / 100, `average loss ${test[1]}`);
});

// The namespaces whose functions and classes each need an example, and the folders that hold
// the ops, layers, optimizers, data sets, loaders and models (not the backends' switches).
const NAMESPACES: [string, Record<string, unknown>][] = [["torch", torch], ["F", torch.F], ["nn", torch.nn], ["optim", torch.optim], ["data", torch.data], ["models", torch.models]];
const NEEDS_EXAMPLE = /^src\/(ops|nn|optim|data|models)\/|^src\/(creation|tensor)\.ts$/;

test("every public op, layer, optimizer, data set, loader and model builder has an example", () => {
  const declared = exportedDeclarations(root);
  const documented = new Set(examples.map((e) => e.symbol?.split(".")[0]));
  const missing: string[] = [];
  for (const [space, exports] of NAMESPACES) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function") continue;
      const files = declared.get(name) ?? [];
      if (files.some((f) => NEEDS_EXAMPLE.test(f)) && !documented.has(name)) missing.push(`${space}.${name} (${files.join(", ")})`);
    }
  }
  assert.deepEqual(missing, [], `these have no @example:\n  ${missing.join("\n  ")}`);
});

test("every example type-checks against torchlet's declarations (dist/*.d.ts)", () => {
  const names = Object.keys(torch).filter((n) => n !== "default");
  assert.deepEqual(typeErrors(root, examples, names), []);
});

test("examples found: the ones in src/ name their declaration", () => {
  assert.ok(examples.length > 0);
  for (const e of examples) if (e.where.startsWith("src/")) assert.ok(e.symbol, `${e.where}: an @example outside a declaration's comment`);
});

test("a check fails when the example's comment is wrong", async () => {
  const wrong = (code: string) => runExample({ where: "test", code });
  await assert.rejects(wrong("torch.tensor([1, 2]) // => [1, 3]"), /line 1/);
  await assert.rejects(wrong("torch.zeros([2, 3]) // shape [3, 2]"), /line 1/);
  await assert.rejects(wrong("torch.zeros([2]) // throws RangeError"), /line 1/);
  await assert.rejects(wrong("torch.reshape(torch.zeros([2]), [3]) // throws TypeError"), /threw RangeError/);
  await assert.rejects(wrong("const y = torch.ones([2]).sum() // => 3"), /line 1/);
});
