// Timing one workload: warm up (JIT, caches, allocator), then a few timed rounds; the best
// round's time per iteration is the figure (the least disturbed by other processes on a shared
// machine), and every round is kept in the JSON. Very slow iterations (TF.js's CPU training,
// seconds per batch) stop once twice the planned time is spent, so that they cost one to three
// iterations, not minutes. bench/pytorch_bench.py follows the same rules.

import type { Outcome, TimingPlan } from "./protocol.js";
import type { Workload } from "./workloads.js";

/** The plan for one workload: the run's, with the workload's least warm-up. */
export function planFor(w: Workload, plan: TimingPlan): TimingPlan {
  return { ...plan, warmupSeconds: Math.max(plan.warmupSeconds, w.warmupSeconds ?? 0) };
}

export function measure(step: () => void, plan: TimingPlan): Outcome {
  const now = () => performance.now() / 1000;
  const budget = 2 * plan.rounds * plan.roundSeconds;
  const warmStart = now();
  step();
  const first = now() - warmStart;
  // One iteration longer than the whole budget is the measurement: warming up would double a
  // cost of many seconds to remove a JIT delay that is a few percent of it.
  if (first >= budget) return { secondsPerIter: first, rounds: [first], iters: 1 };
  while (now() - warmStart < plan.warmupSeconds) step();
  const rounds: number[] = [];
  let total = 0;
  let iters = 0;
  while (rounds.length < plan.rounds && (rounds.length === 0 || total < budget)) {
    const start = now();
    let n = 0;
    do {
      step();
      n++;
    } while (now() - start < plan.roundSeconds);
    const elapsed = now() - start;
    rounds.push(elapsed / n);
    total += elapsed;
    iters += n;
  }
  return { secondsPerIter: Math.min(...rounds), rounds, iters };
}

/** Thrown by a workload's setup when the framework cannot run it (reported, not an error). */
export class Unsupported extends Error {}
