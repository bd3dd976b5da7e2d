// Fingerprints of torchlet's numerics under the Node that runs this script, for .ci/run to
// compare across Node lines (20, 22, 24): they must be identical, bit for bit.
//   math      V8's own Math functions on a grid: informative only, Math.pow differs in Node 24
//             (see src/core/pow.ts); .ci/run compares the other lines
//   ops-js    a table of ops, forward and backward, on the JavaScript kernels
//   ops-wasm  the same on the WebAssembly kernels (1 thread, then 2 threads)
//   lenet5-sgd         `torchlet train lenet5` for 1 epoch on 2,000 MNIST images (SGD, seed 7)
//   modern-lenet-adam  `torchlet train modern-lenet` for 100 Adam steps (batch 64, seed 7)
//                      each: the trained weights, the logged losses, the test loss and accuracy
// Each line is "name sha256 summary". Needs `npm run build` (it imports dist/).
//   node scripts/node-parity.mjs

import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const torch = await import(join(root, "dist", "index.js"));
const { F } = torch;

/** Hashes float arrays by their bytes (so -0, NaN payloads and last bits all count). */
function digest(arrays) {
  const h = createHash("sha256");
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest("hex").slice(0, 16);
}

function mathGrid() {
  const fns = ["exp", "expm1", "log", "log1p", "tanh", "sinh", "cosh", "sin", "cos", "atan", "cbrt", "sqrt"];
  const out = [];
  for (const f of fns) {
    const a = new Float64Array(2001);
    for (let i = 0; i < a.length; i++) {
      const x = (i - 1000) / 37.3;
      a[i] = Math[f](f.startsWith("log") || f === "sqrt" ? Math.abs(x) + 1e-3 : x);
    }
    out.push(a);
  }
  const p = new Float64Array(400);
  for (let i = 0; i < p.length; i++) p[i] = Math.pow(1 + i / 97, (i % 13) - 6.5);
  out.push(p);
  return { hash: digest(out), summary: `${fns.length + 1} functions x 2001 points` };
}

/** Forward values and gradients of a small network's worth of ops on seeded inputs. */
function opsTable() {
  torch.manualSeed(11);
  const leaf = (shape) => torch.randn(shape, { requiresGrad: true });
  const x = leaf([4, 3, 12, 12]);
  const w = leaf([8, 3, 3, 3]);
  const b = leaf([8]);
  const fc = leaf([5, 8 * 6 * 6]);
  const y = F.batchNorm(F.conv2d(x, w, b, { padding: 1 }), null, null, null, null, true); // (4, 8, 12, 12)
  const smooth = torch.sigmoid(F.avgPool2d(torch.tanh(y), 2)); // (4, 8, 6, 6)
  const sharp = F.maxPool2d(torch.relu(y), 2);
  const wide = F.adaptiveAvgPool2d(torch.exp(torch.mul(smooth, 0.5)), [6, 6]);
  const h = torch.reshape(torch.add(torch.add(smooth, sharp), wide), [4, 8 * 6 * 6]);
  const out = torch.add(F.linear(h, fc), torch.matmul(torch.sqrt(torch.add(torch.abs(h), 1)), torch.full([288, 5], 0.01)));
  const loss = F.crossEntropy(out, [0, 3, 1, 4]);
  loss.backward();
  const arrays = [out.data, loss.data, x.grad.data, w.grad.data, b.grad.data, fc.grad.data, F.softmax(out, 1).data, F.logSoftmax(out, 1).data, torch.log(torch.add(torch.abs(out), 1)).data];
  return { hash: digest(arrays), summary: `loss ${loss.item()}` };
}

/** A `torchlet train` run: the trained weights, each step's loss, the test loss and accuracy. */
function trainRun(args) {
  const dir = mkdtempSync(join(tmpdir(), "torchlet-parity-"));
  try {
    const ckpt = join(dir, "run.safetensors");
    execFileSync(process.execPath, [join(root, "dist", "cli", "main.js"), "train", ...args, "--epochs", "1", "--seed", "7", "--save", ckpt], { stdio: "pipe" });
    const sd = torch.load(ckpt);
    const records = readFileSync(join(dir, "run.metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const numbers = records.flatMap((r) => [r.loss, r.trainLoss, r.testLoss, r.testAccuracy].filter((v) => v !== undefined));
    const epoch = records.find((r) => r.type === "epoch");
    return { hash: digest([...Object.values(sd).map((t) => t.data), Float64Array.from(numbers)]), summary: `test loss ${epoch.testLoss} accuracy ${epoch.testAccuracy}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = [["math", mathGrid()]];
torch.setBackend("js");
lines.push(["ops-js", opsTable()]);
torch.setBackend("wasm");
for (const threads of [1, 2]) {
  torch.setNumThreads(threads);
  lines.push([`ops-wasm-${threads}t`, opsTable()]);
}
lines.push(["lenet5-sgd", trainRun(["lenet5", "--limit", "2000"])]);
lines.push(["modern-lenet-adam", trainRun(["modern-lenet", "--limit", "6400", "--test-limit", "1000"])]);
for (const [name, { hash, summary }] of lines) console.log(`${name} ${hash} ${summary}`);
