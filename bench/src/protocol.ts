// What passes between the orchestrator (run.ts) and a runner process (runners/*.ts,
// ../pytorch_bench.py): the spec goes in as one JSON argument, the result comes back as the last
// line of stdout. Progress goes to stderr.

import type { Workload } from "./workloads.js";

/**
 * How long to time each workload: warm up, then `rounds` rounds of at least `roundSeconds`; or,
 * when `warmupSteps` is set, `warmupSteps` untimed steps, then `rounds` rounds of one step each.
 */
export interface TimingPlan {
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  /** Counted timing (a workload's `steps`, set by measure.ts planFor). */
  warmupSteps?: number;
  /** The run's number of one-step rounds for the counted rows (the run's plan only). */
  stepRounds?: number;
}

export interface RunnerSpec {
  /** How progress lines name this runner, e.g. "torchlet wasm 2t". */
  label: string;
  /** The workloads (workloads.ts) to run, in order; given whole so that Python needs no copy of the table. */
  workloads: Workload[];
  plan: TimingPlan;
  /** Each workload's own plan by id (measure.ts planFor), so that no runner computes it again. */
  plans: Record<string, TimingPlan>;
  /** Runner-specific settings: { backend, threads } for torchlet and TF.js, { threads } for PyTorch. */
  settings: Record<string, string | number>;
}

/** One workload's outcome: a time, or why there is none. */
export type Outcome =
  | Timed
  | { unsupported: string }
  | { error: string };

export interface RunnerResult {
  /** "missing": the runner could not start (peer not installed, backend not available). */
  status: "ok" | "missing";
  reason?: string;
  /** Framework version and the settings actually in effect (threads, SIMD, ...). */
  version?: string;
  settings?: Record<string, string | number | boolean>;
  results: Record<string, Outcome>;
}

/**
 * A timed workload. peakRssBytes: the runner process's peak resident set size (its high-water
 * mark, worker threads included) when the workload ended; this workload's own only when it ran
 * in a process of its own (Workload.ownProcess), else that of every workload before it too.
 */
export interface Timed {
  secondsPerIter: number;
  rounds: number[];
  iters: number;
  peakRssBytes?: number;
}

export function isTimed(o: Outcome | undefined): o is Timed {
  return o !== undefined && "secondsPerIter" in o;
}
