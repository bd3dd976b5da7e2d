// Memory model: ordinary training code never disposes anything; a step's temporaries go with
// its graph. These tests hold the process's typed-array memory to a flat line across steps, and
// check the sampler that reports each CLI epoch's peak RSS.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { MemorySampler } from "../../src/train/memory.js";

const gc = (globalThis as { gc?: () => void }).gc;

function arrayBufferBytes(): number {
  gc!();
  gc!();
  return process.memoryUsage().arrayBuffers;
}

test("typed-array memory stays flat across LeNet-5 training steps", { skip: gc ? false : "run node with --expose-gc" }, () => {
  torch.manualSeed(1);
  const model = torch.models.lenet5({ c3: "sparse" });
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = torch.rand([16, 1, 28, 28]);
  const y = torch.tensor(Array.from({ length: 16 }, (_, i) => i % 10));
  const losses: torch.Tensor[] = [];
  const step = () => {
    opt.zeroGrad();
    const loss = torch.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss); // keeping the loss must not keep its graph's intermediates alive
  };
  for (let i = 0; i < 3; i++) step();
  const before = arrayBufferBytes();
  for (let i = 0; i < 30; i++) step();
  const after = arrayBufferBytes();
  // One step's activations and gradients for this batch are about 1 MB; a leak of one graph
  // per step would add ~30 MB. Allow a little slack for allocator noise.
  assert.ok(after - before < 512 * 1024, `typed-array memory grew by ${((after - before) / 1024).toFixed(0)} KiB over 30 steps`);
  assert.ok(losses.every((l) => l.gradFn?.released), "every step's graph is released after backward");
});

test("a graph kept only by a live output is released by backward", () => {
  const w = torch.randn([100, 100], { requiresGrad: true });
  const out = w.tanh().matmul(w).sum();
  out.backward();
  assert.equal(out.gradFn?.released, true);
  assert.deepEqual(out.gradFn?.inputs, []);
  assert.throws(() => out.backward(), /backward through the graph a second time/);
});

const MB = 2 ** 20;

/** A process.memoryUsage stand-in: each RSS reading, by rss() or a full call, is the next of rssMB (the last repeats). */
function scripted(rssMB: number[], rest = { heapUsed: 10 * MB, external: 20 * MB, arrayBuffers: 15 * MB }) {
  let i = 0;
  const rss = () => rssMB[Math.min(i++, rssMB.length - 1)] * MB;
  return Object.assign(() => ({ rss: rss(), heapTotal: 0, ...rest }), { rss });
}

test("MemorySampler: the peak is the highest sample, and starts over each epoch", () => {
  const m = new MemorySampler(1, scripted([100, 300, 200, /* epoch end */ 150, 120, 110, /* epoch end */ 130]));
  for (let i = 0; i < 3; i++) m.step();
  assert.deepEqual(m.endEpoch(), { peakRssMB: 300, heapMB: 10, externalMB: 20, arrayBuffersMB: 15 });
  m.step();
  m.step();
  // The second epoch never reaches the first one's 300 MB; its end-of-epoch reading is its highest.
  assert.equal(m.endEpoch().peakRssMB, 130);
});

test("MemorySampler reads the RSS on every `every`-th step only", () => {
  let reads = 0;
  const m = new MemorySampler(3, Object.assign(scripted([50]), { rss: () => (reads++, 50 * MB) }));
  for (let i = 0; i < 7; i++) m.step();
  assert.equal(reads, 2);
  assert.throws(() => new MemorySampler(0), /every must be a positive integer/);
});

test("MemorySampler on the real process: the peak covers every sample and sees a 64 MB allocation", () => {
  const m = new MemorySampler(1);
  const before = m.sample();
  const block = new Uint8Array(64 * MB).fill(1); // written, so its pages are resident
  const samples = [before, m.sample(), m.sample()];
  const mem = m.endEpoch();
  assert.equal(block[block.length - 1], 1);
  for (const s of samples) assert.ok(mem.peakRssMB * MB >= s - 0.05 * MB, `peak ${mem.peakRssMB} MB < sample ${s / MB} MB`);
  assert.ok(mem.peakRssMB * MB - before > 48 * MB, `peak ${mem.peakRssMB} MB is not 64 MB above ${(before / MB).toFixed(1)} MB`);
  assert.ok(mem.arrayBuffersMB >= 64, `arrayBuffers ${mem.arrayBuffersMB} MB while a 64 MB array is alive`);
});
