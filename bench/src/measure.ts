// Timing one workload: warm up (JIT, caches, allocator), then a few timed rounds; the best
// round's time per iteration is the figure (the least disturbed by other processes on a shared
// machine), and every round is kept in the JSON. Very slow iterations (TF.js's CPU training,
// seconds per batch) stop once twice the planned time is spent, so that they cost one to three
// iterations, not minutes. Rows whose step takes seconds (the course's VGG and ResNet) count steps
// instead: a warm-up step or two, then one step per round. bench/pytorch_bench.py follows the
// same rules, with the plans this file's planFor gives it.

import type { Outcome, TimingPlan } from "./protocol.js";
import type { Workload } from "./workloads.js";

/**
 * The plan for one workload: the run's, with the workload's least warm-up; for a counted row
 * (`w.steps`), its warm-up steps and the run's `stepRounds` (else `rounds`) one-step rounds.
 */
export function planFor(w: Workload, plan: TimingPlan): TimingPlan {
  if (w.steps) return { warmupSeconds: 0, rounds: plan.stepRounds ?? plan.rounds, roundSeconds: 0, warmupSteps: w.steps.warmup };
  return { ...plan, warmupSeconds: Math.max(plan.warmupSeconds, w.warmupSeconds ?? 0) };
}

const now = () => performance.now() / 1000;

export function measure(step: () => void, plan: TimingPlan): Outcome {
  if (plan.warmupSteps !== undefined) return measureSteps(step, plan.warmupSteps, plan.rounds);
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

/** `warmup` untimed steps, then `rounds` timed steps, one a round; the best is the figure. */
function measureSteps(step: () => void, warmup: number, rounds: number): Outcome {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, rounds); i++) {
    const start = now();
    step();
    times.push(now() - start);
  }
  return { secondsPerIter: Math.min(...times), rounds: times, iters: times.length };
}

/** Thrown by a workload's setup when the framework cannot run it (reported, not an error). */
export class Unsupported extends Error {}
