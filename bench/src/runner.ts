// The runner side of the protocol (protocol.ts): a runner process starts its framework, then
// times each requested workload through its setup function and prints the results as JSON.

import { measure, planFor, Unsupported } from "./measure.js";
import type { Outcome, RunnerResult, RunnerSpec } from "./protocol.js";
import { INFER_BATCH, figure, type Workload } from "./workloads.js";

/** Builds a workload's inputs and model, and returns one iteration as a function. A runner's
 * setup named "gemm" serves every GEMM workload (the shape is in `w.gemm`), the one named
 * "course" every course row (what to build is in `w.course`). */
export type Setup = (w: Workload) => () => void;

export interface StartedRunner {
  version: string;
  settings: Record<string, string | number | boolean>;
  setups: Record<string, Setup>;
}

/** How a framework builds each kind of workload; setupTable() maps them onto the workload ids. */
export interface Builders {
  train(c3: "full" | "sparse"): Setup;
  infer(c3: "full" | "sparse", batch: number): Setup;
  logreg: Setup;
  gemm: Setup;
  course: Setup;
}

export function setupTable(b: Builders): Record<string, Setup> {
  return {
    "train-full": b.train("full"),
    "train-sparse": b.train("sparse"),
    "infer-full": b.infer("full", INFER_BATCH),
    "infer-sparse": b.infer("sparse", INFER_BATCH),
    latency: b.infer("full", 1),
    logreg: b.logreg,
    gemm: b.gemm,
    course: b.course,
  };
}

/** Thrown while starting when the framework or backend is not there: reported as "missing". */
export class Missing extends Error {}

export async function runnerMain(start: (spec: RunnerSpec) => Promise<StartedRunner>): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "null") as RunnerSpec;
  if (!spec?.workloads) throw new Error(`runner: expected a JSON spec as the first argument, got ${process.argv[2]}`);
  let result: RunnerResult;
  try {
    const runner = await start(spec);
    result = { status: "ok", version: runner.version, settings: runner.settings, results: runAll(spec, runner) };
  } catch (e) {
    if (!(e instanceof Missing)) throw e;
    result = { status: "missing", reason: e.message, results: {} };
  }
  // NOTE: the result is the last stdout line; a library's own console.log lines come before it.
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

function runAll(spec: RunnerSpec, runner: StartedRunner): Record<string, Outcome> {
  const results: Record<string, Outcome> = {};
  for (const w of spec.workloads) {
    const setup = runner.setups[w.id] ?? (w.gemm ? runner.setups.gemm : w.course ? runner.setups.course : undefined);
    if (!setup) throw new Error(`runner ${spec.label}: no setup for workload "${w.id}"`);
    const o = runOne(w, setup, spec);
    results[w.id] = o;
    const shown = "secondsPerIter" in o ? `${figure(w, o.secondsPerIter).toPrecision(4)} ${w.unit}` : "unsupported" in o ? `unsupported: ${o.unsupported}` : `error: ${o.error}`;
    process.stderr.write(`  ${spec.label}: ${w.id} ${shown}\n`);
  }
  return results;
}

function runOne(w: Workload, setup: Setup, spec: RunnerSpec): Outcome {
  try {
    const o = measure(setup(w), spec.plans?.[w.id] ?? planFor(w, spec.plan));
    // maxRSS is in kilobytes: the process's high-water mark, its worker threads included
    return "secondsPerIter" in o ? { ...o, peakRssBytes: process.resourceUsage().maxRSS * 1024 } : o;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return e instanceof Unsupported ? { unsupported: message } : { error: message };
  }
}
