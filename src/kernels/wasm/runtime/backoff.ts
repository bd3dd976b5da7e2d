// When a second thread stops paying, kernels run on the calling thread for a while.
// A worker thread only helps while it gets a core. When another process keeps a core busy, the
// operating system shares it between that process and the worker in slices of milliseconds; a
// kernel call whose part sits on a descheduled worker waits for it, and every call of a training
// step does. NOTE: measured with a busy loop pinned to the second core (taskset -c 1): LeNet-5
// training at 2 threads fell to 3,800-5,400 img/s while 1 thread ran at 12,800; with the backoff
// 8,500-10,900 (same-process A/B, 2.2-2.3x).
// So the pool keeps score: for each threaded call, the time one thread would have taken (the
// calling thread's own time over the share of the parts it ran) against the call's wall time, as
// sums that decay call by call (so the long calls, which matter, weigh the most). When threads
// clearly lose (one thread would be 20% faster), calls stay on the calling thread for a pause
// that doubles while threads keep losing, then threads are tried again. Any thread count gives
// the same bits, so the switch never changes a result.

import { envVar } from "../../../core/env.js";

// NOTE: the constants were set on this machine's LeNet-5 training at 2 threads: with a window of
// ~10 calls and a 0.95 threshold the pool backed off a few times per 300 steps on a quiet machine
// (one worker part delayed by a millisecond swings a short window); with these, never in 3 runs of
// 300 steps, while a busy core still sends it to one thread within two steps.
/** The weight of the previous sums at each new call (a window of ~30 calls, ~1.5 training steps). */
const DECAY = 0.97;
/** Calls to score before deciding. */
const MIN_CALLS = 32;
/** A call's wall time counts at most this many times its one-thread estimate (one outlier). */
const MAX_LOSS = 3;
/** One thread's estimated time under this fraction of the wall time: threads lose. */
const LOSING = 0.8;
/** ... above this fraction: threads win, and the next pause starts short again. */
const WINNING = 1.2;
const MIN_PAUSE_MS = 50;
const MAX_PAUSE_MS = 3200;

/** See setThreadBackoff. */
let enabled = envVar("TORCHLET_THREAD_BACKOFF") !== "0";

/**
 * Whether the "wasm" kernels may fall back to the calling thread while worker threads do not pay.
 * On by default; `false` (or TORCHLET_THREAD_BACKOFF=0) keeps every large call split, as the
 * thread-count tests need (each must compare a real split with one thread).
 */
export function setThreadBackoff(on: boolean): void {
  enabled = on;
}

export class ThreadBackoff {
  private oneThread = 0;
  private wall = 0;
  private calls = 0;
  private soloUntil = -Infinity;
  private pauseMs = MIN_PAUSE_MS;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether a kernel call may use more than one thread now. */
  allows(): boolean {
    return !enabled || this.now() >= this.soloUntil;
  }

  /**
   * Scores one threaded call: its wall time, the calling thread's own time in parts, and the
   * fraction of the call's parts that it ran.
   */
  record(wallMs: number, ownMs: number, share: number): void {
    if (!enabled || !(share > 0) || !(wallMs > 0)) return;
    const oneThread = ownMs / share;
    this.oneThread = this.oneThread * DECAY + oneThread;
    this.wall = this.wall * DECAY + Math.min(wallMs, MAX_LOSS * oneThread);
    if (++this.calls < MIN_CALLS) return;
    if (this.oneThread < LOSING * this.wall) {
      this.soloUntil = this.now() + this.pauseMs;
      this.pauseMs = Math.min(2 * this.pauseMs, MAX_PAUSE_MS);
      this.oneThread = this.wall = this.calls = 0;
    } else if (this.oneThread > WINNING * this.wall) this.pauseMs = MIN_PAUSE_MS;
  }

  /** The current pause's length in ms, for tests and diagnostics. */
  get nextPauseMs(): number {
    return this.pauseMs;
  }
}
