// The thread backoff (src/kernels/wasm/runtime/backoff.ts) on a fake clock: threads stay allowed while
// they pay, a run of losing calls sends work to the calling thread for a pause that doubles while
// threads keep losing and starts short again once they win. (Its effect with a real busy core is
// a benchmark figure, in backoff.ts's NOTE, not a test: it depends on the scheduler.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { ThreadBackoff, setThreadBackoff } from "../../../../src/kernels/wasm/runtime/backoff.js";

function fakeClock() {
  const clock = { t: 0, now: () => clock.t };
  return clock;
}

/** n threaded calls of 1 ms wall time in which one thread would have taken `oneThreadMs`. */
function calls(b: ThreadBackoff, n: number, oneThreadMs: number): void {
  for (let i = 0; i < n; i++) b.record(1, oneThreadMs / 2, 0.5);
}

test("threads that pay stay allowed", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  calls(b, 100, 1.8);
  assert.equal(b.allows(), true);
});

test("losing calls send work to one thread for a pause, then threads are tried again", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  calls(b, 31, 0.5);
  assert.equal(b.allows(), true, "fewer calls than the minimum decide nothing");
  calls(b, 1, 0.5);
  assert.equal(b.allows(), false, "32 calls at half the one-thread speed: back off");
  clock.t += 49;
  assert.equal(b.allows(), false);
  clock.t += 1;
  assert.equal(b.allows(), true, "the first pause is 50 ms");
  assert.equal(b.nextPauseMs, 100);
});

test("the pause doubles while threads keep losing, up to 3.2 s, and starts short again after a win", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  const pauses: number[] = [];
  for (let k = 0; k < 8; k++) {
    pauses.push(b.nextPauseMs);
    calls(b, 32, 0.5);
    assert.equal(b.allows(), false);
    clock.t += b.nextPauseMs; // past the pause just started (at most the next one's length)
  }
  assert.deepEqual(pauses, [50, 100, 200, 400, 800, 1600, 3200, 3200]);
  assert.equal(b.allows(), true);
  calls(b, 32, 1.8);
  assert.equal(b.allows(), true);
  assert.equal(b.nextPauseMs, 50);
});

test("a call's score weighs by its time: one long winning call outweighs many short losing ones", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  b.record(10, 9, 0.5); // 10 ms, one thread would take 18
  for (let i = 0; i < 31; i++) b.record(0.05, 0.01, 0.5); // light calls that lose
  assert.equal(b.allows(), true);
});

test("threads that lose only a little, or one badly delayed call among winning ones, do not back off", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  calls(b, 64, 0.85); // one thread would be 15% faster: not worth a switch
  assert.equal(b.allows(), true);
  const c = new ThreadBackoff(clock.now);
  calls(c, 20, 1.8);
  c.record(100, 0.9, 0.5); // a worker part held up 100 ms counts as 3x its one-thread time, not 55x
  calls(c, 11, 1.8);
  assert.equal(c.allows(), true);
});

test("setThreadBackoff(false) always allows threads and ignores scores", () => {
  const clock = fakeClock();
  const b = new ThreadBackoff(clock.now);
  setThreadBackoff(false);
  try {
    calls(b, 40, 0.3);
    assert.equal(b.allows(), true);
  } finally {
    setThreadBackoff(true);
  }
  calls(b, 32, 0.3);
  assert.equal(b.allows(), false);
});
