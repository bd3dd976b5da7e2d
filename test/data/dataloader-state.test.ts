// DataLoader.stateDict / loadStateDict: a loader stopped after any batch and restored (through
// JSON, into a fresh loader, after other random draws) yields exactly the batches the
// uninterrupted loader yields from there on: the rest of the pass and the passes after it.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { DataLoader, TensorDataset, type DataLoaderOptions, type DataLoaderState } from "../../src/data/index.js";

const N = 23;
const EPOCHS = 3;

/** Item i is a (1,2) image filled with i, label i. */
function items(n: number): TensorDataset {
  const x = Float32Array.from({ length: n * 2 }, (_, k) => Math.floor(k / 2));
  return new TensorDataset(new torch.Tensor(x, [n, 1, 2]), new torch.Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]));
}

/** One batch as text: its item ids (checked against the images), so sequences compare exactly. */
function ids([x, y]: [torch.Tensor, torch.Tensor]): string {
  [...y.data].forEach((id, b) => assert.equal(x.data[b * 2 + 1], id));
  return [...y.data].join(",");
}

/** Each batch also draws from the default generator, as dropout in the training step would. */
function consume(batch: [torch.Tensor, torch.Tensor]): string {
  torch.rand([3]);
  return ids(batch);
}

function straight(options: DataLoaderOptions): string[] {
  torch.manualSeed(11);
  const loader = new DataLoader(items(N), options);
  const seen: string[] = [];
  while (loader.epoch < EPOCHS) for (const batch of loader) seen.push(consume(batch));
  return seen;
}

/** Stops after `stopAt` batches in all, saves (JSON), then a fresh loader continues to the end. */
function interrupted(options: DataLoaderOptions, stopAt: number): string[] {
  torch.manualSeed(11);
  const first = new DataLoader(items(N), options);
  const seen: string[] = [];
  let saved = "";
  outer: while (first.epoch < EPOCHS) {
    for (const batch of first) {
      seen.push(consume(batch));
      if (seen.length === stopAt) {
        saved = JSON.stringify({ loader: first.stateDict(), rng: torch.getRngState() });
        break outer;
      }
    }
  }
  // A new process, as far as the generators know: other seeds, other draws.
  torch.manualSeed(999);
  torch.randn([5]);
  const state = JSON.parse(saved) as { loader: DataLoaderState; rng: torch.RngState };
  const second = new DataLoader(items(N), { ...options, ...(options.seed !== undefined && { seed: options.seed + 1 }) });
  second.loadStateDict(state.loader);
  torch.setRngState(state.rng);
  while (second.epoch < EPOCHS) for (const batch of second) seen.push(consume(batch));
  return seen;
}

test("a loader restored after any batch continues exactly: shuffle on/off, dropLast on/off, own or default generator", () => {
  let cases = 0;
  for (const shuffle of [false, true]) {
    for (const dropLast of [false, true]) {
      for (const seed of [undefined, 3]) {
        const options: DataLoaderOptions = { batchSize: 5, shuffle, dropLast, ...(seed !== undefined && { seed }) };
        const expected = straight(options);
        const perPass = dropLast ? 4 : 5;
        assert.equal(expected.length, EPOCHS * perPass);
        if (shuffle) assert.notEqual(expected.slice(0, perPass).join("|"), expected.slice(perPass, 2 * perPass).join("|"), "passes differ");
        // Every stopping point: the first batch, mid-pass, a pass's last batch, the run's last.
        for (let stopAt = 1; stopAt <= expected.length; stopAt++) {
          assert.deepEqual(interrupted(options, stopAt), expected, `${JSON.stringify(options)}, stopped after batch ${stopAt}`);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 2 * (15 + 12) * 2);
});

test("stateDict counts passes and batches; a pass's last batch moves it to the next pass", () => {
  const loader = new DataLoader(items(N), { batchSize: 10, shuffle: true, seed: 1 });
  assert.deepEqual({ ...loader.stateDict(), generator: null }, {
    epoch: 0, batchesYielded: 0, orderRng: null, generator: null, datasetLength: N, batchSize: 10, shuffle: true, dropLast: false,
  });
  const seen: DataLoaderState[] = [];
  for (const _ of loader) seen.push(loader.stateDict());
  assert.deepEqual(seen.map((s) => [s.epoch, s.batchesYielded, s.orderRng !== null]), [[0, 1, true], [0, 2, true], [1, 0, false]]);
  assert.equal(loader.epoch, 1);
  // An unseeded, unshuffled loader has no generator state to carry.
  const plain = new DataLoader(items(N), { batchSize: 4 });
  plain[Symbol.iterator]().next();
  assert.deepEqual([plain.stateDict().generator, plain.stateDict().orderRng, plain.stateDict().batchesYielded], [null, null, 1]);
});

test("loadStateDict refuses a state for a loader that batches differently, naming the field", () => {
  const source = new DataLoader(items(N), { batchSize: 5, shuffle: true });
  source[Symbol.iterator]().next();
  const state = source.stateDict();
  const cases: [DataLoader, unknown, RegExp][] = [
    [new DataLoader(items(N + 1), { batchSize: 5, shuffle: true }), state, /DataLoader.loadStateDict: the state is for datasetLength 23, this loader has 24/],
    [new DataLoader(items(N), { batchSize: 6, shuffle: true }), state, /the state is for batchSize 5, this loader has 6/],
    [new DataLoader(items(N), { batchSize: 5 }), state, /the state is for shuffle true, this loader has false/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true, dropLast: true }), state, /the state is for dropLast false, this loader has true/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true, seed: 1 }), state, /this loader has its own generator \(seed or generator option\), the state has none/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true }), { ...state, batchesYielded: 5 }, /batchesYielded 5 is not within a pass of 5 batches/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true }), { ...state, epoch: -1 }, /epoch must be a non-negative integer, got -1/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true }), { ...state, orderRng: null }, /a shuffled pass cut short needs orderRng/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true }), { ...state, orderRng: { ...state.orderRng, state: [0, 0, 0, 0] } }, /all-zero state/],
    [new DataLoader(items(N), { batchSize: 5, shuffle: true }), "state", /expected a state from DataLoader.stateDict\(\), got string/],
  ];
  for (const [loader, bad, message] of cases) assert.throws(() => loader.loadStateDict(bad as DataLoaderState), message);
  const seeded = new DataLoader(items(N), { batchSize: 5, shuffle: true, seed: 2 }).stateDict();
  assert.throws(() => new DataLoader(items(N), { batchSize: 5, shuffle: true }).loadStateDict(seeded), /the state carries its own generator's state, this loader shuffles with torch's default generator/);
});
