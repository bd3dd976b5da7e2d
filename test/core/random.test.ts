// The generators' state: torch.getRngState / setRngState and Generator.getState / setState give
// back exactly the draws that followed, normal()'s kept Box-Muller value included, through JSON.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import { Generator } from "../../src/core/random.js";

/** A mix of every kind of draw, an odd number of normals so that one Box-Muller value is kept. */
function draws(g: Generator): number[] {
  return [g.random(), g.normal(), g.uniform(-2, 3), g.randint(1000), ...g.permutation(7), g.normal(), g.normal(), g.random()];
}

test("Generator.setState(getState()) replays the same draws, also through JSON and after an odd number of normals", () => {
  const g = new Generator(123);
  g.normal(); // keeps the second Box-Muller value: it is part of the state
  const state = JSON.parse(JSON.stringify(g.getState()));
  const expected = draws(g);
  const other = new Generator(999).setState(state);
  assert.deepEqual(draws(other), expected);
  assert.deepEqual(draws(g.setState(state)), expected);
  assert.equal(state.algorithm, "xoshiro128**");
  assert.equal(typeof state.spareNormal, "number");
});

test("torch.getRngState / setRngState cover init, dropout and rand/randn", () => {
  torch.manualSeed(5);
  torch.randn([3]); // an odd count: a normal is kept over
  const state = torch.getRngState();
  const run = () => {
    const layer = new torch.nn.Linear(4, 3);
    const dropped = torch.F.dropout(torch.ones([20]), 0.5, true);
    return [...layer.weight.data, ...dropped.data, ...torch.rand([4]).data, ...torch.randn([5]).data];
  };
  const first = run();
  torch.manualSeed(77); // something else in between
  torch.randn([9]);
  torch.setRngState(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(run(), first);
  // The returned state is a copy: drawing does not change it.
  assert.deepEqual(torch.getRngState() === state, false);
  torch.setRngState(state);
  assert.deepEqual(run(), first);
});

test("setRngState refuses what getRngState never returns, naming the problem", () => {
  const good = torch.getRngState();
  const cases: [unknown, RegExp][] = [
    [null, /setRngState: expected a state from getRngState\(\) \(xoshiro128\*\*\), got null/],
    [{ ...good, algorithm: "mt19937" }, /got algorithm "mt19937"/],
    [{ ...good, state: [1, 2, 3] }, /got state \[1,2,3\] \(four unsigned 32-bit integers\)/],
    [{ ...good, state: [1, 2, 3, 2 ** 32] }, /four unsigned 32-bit integers/],
    [{ ...good, state: [0, 0, 0, 0] }, /all-zero state/],
    [{ ...good, spareNormal: NaN }, /got spareNormal NaN/],
  ];
  for (const [bad, message] of cases) {
    assert.throws(() => torch.setRngState(bad as torch.RngState), message);
  }
  assert.deepEqual(torch.getRngState(), good, "a refused state leaves the generator as it was");
});
