// A long run's memory stays flat: 30 epochs of LeNet-5 on 320 MNIST images (300 steps of batch
// 32; each epoch a shuffled pass, SGD with momentum, an evaluation and a checkpoint with its run
// state), the process's memory read after a full GC at every epoch's end. One graph leaked per
// step would add about 1 MB a step (250 MB between the compared epochs); the bounds are 16 MB.
// NOTE: with resident arrays (the wasm backend's default), large arrays that die outside the
// storage pool (each batch the loader makes) keep their block in the WebAssembly memory, up to 32
// live blocks of a length (kernels/wasm/runtime/resident.ts); past that their length comes from
// the JS heap. So the resident bytes level off within the first epochs and must stay flat after.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { DataLoader, MNIST, normalize } from "../../src/data/index.js";
import { residentBytes } from "../../src/kernels/index.js";
import { saveCheckpoint } from "../../src/train/checkpoint.js";

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 2 ** 20;
const EPOCHS = 30;

type Sample = NodeJS.MemoryUsage & { resident: number };

/** Runs the 30 epochs; returns each epoch's memory after a full GC (and the resident arrays' bytes) and the last loss. */
function longRun(): { memory: Sample[]; lastLoss: number } {
  const dir = mkdtempSync(join(tmpdir(), "torchlet-long-"));
  try {
    torch.manualSeed(0);
    const transform = normalize(0.1307, 0.3081);
    const train = new DataLoader(new MNIST({ train: true, limit: 320, transform }), { batchSize: 32, shuffle: true });
    const test = new DataLoader(new MNIST({ train: false, limit: 100, transform }), { batchSize: 100 });
    const model = torch.models.lenet5();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const memory: Sample[] = [];
    let lastLoss = NaN;
    while (train.epoch < EPOCHS) {
      model.train();
      for (const [x, y] of train) {
        optimizer.zeroGrad();
        const loss = torch.F.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        lastLoss = loss.item();
      }
      model.eval();
      torch.noGrad(() => { for (const [x] of test) model.forward(x); });
      saveCheckpoint(join(dir, "long.safetensors"), model, { epoch: String(train.epoch) }, optimizer, { rng: torch.getRngState(), loader: train.stateDict() });
      gc!();
      gc!();
      memory.push({ ...process.memoryUsage(), resident: residentBytes() });
    }
    return { memory, lastLoss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Growth in MB of `key` from epochs 6-10 to epochs 26-30 (means of five, against sampling noise). */
function growth(memory: Sample[], key: keyof Sample): number {
  const mean = (from: number) => memory.slice(from - 1, from + 4).reduce((s, m) => s + m[key], 0) / 5 / MB;
  return mean(26) - mean(6);
}

test("30 epochs of a small LeNet-5 run: RSS grows < 16 MB, the resident arrays < 4 MB, the V8 heap < 2 MB, typed arrays < 1 MB", { skip: gc ? false : "run node with --expose-gc", timeout: 120_000 }, (t) => {
  const { memory, lastLoss } = longRun();
  assert.ok(lastLoss < 0.5, `the run learns (last loss ${lastLoss})`);
  const besides = growth(memory, "rss") - growth(memory, "resident");
  const report = `from epochs 6-10 to 26-30: RSS +${growth(memory, "rss").toFixed(1)} MB, of which resident arrays +${growth(memory, "resident").toFixed(1)} MB ` +
    `(${(memory[EPOCHS - 1].resident / MB).toFixed(0)} MB in all), the rest ${besides.toFixed(1)} MB; heap ${growth(memory, "heapUsed").toFixed(2)} MB, ` +
    `array buffers ${growth(memory, "arrayBuffers").toFixed(2)} MB; RSS per epoch ${memory.map((m) => (m.rss / MB).toFixed(0)).join(" ")}`;
  t.diagnostic(report);
  assert.ok(growth(memory, "rss") < 16, report);
  assert.ok(growth(memory, "resident") < 4, report);
  assert.ok(growth(memory, "heapUsed") < 2, report);
  assert.ok(growth(memory, "arrayBuffers") < 1, report);
});
