// The benchmark of issues 5 and 14 (`npm run bench`, `torchlet bench`): runs every torchlet
// backend and thread count this build accepts, PyTorch (Debian's python3-torch, at 1 and 2
// threads) and TF.js (cpu and wasm backends) on the same workloads and data, one process per
// setting (and one per course row, for its peak RSS), prints the figures and ratios, and writes
// everything as JSON. It never fails on speed: the exit code is 1 only when a torchlet run itself
// crashed, 2 for a bad option.
//   node bench/build/run.js [--quick] [--only train,gemm,course] [--skip tfjs] [--passes n] [--out path]

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { planFor } from "./measure.js";
import type { TimingPlan } from "./protocol.js";
import { mergePasses, passOrder } from "./passes.js";
import { buildReport, formatReport, type Group, type Run } from "./report.js";
import { combineProcesses, runRunner, type SpawnedResult } from "./spawn.js";
import { WORKLOADS, processBatches, runsIn, selectWorkloads, type Setting, type Workload } from "./workloads.js";

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), ".."); // bench/build/..
const ROOT = resolve(BENCH_DIR, "..");

const USAGE = `Usage: npm run bench -- [options]   (or: torchlet bench [options])
  --quick         shorter timing (about 5 minutes; the default run takes 10 to 15, of which
                  the course rows about 5: --only course for them alone)
  --only a,b      workloads by id or prefix (e.g. train, gemm, course): ${WORKLOADS.map((w) => w.id).join(", ")}
  --skip x,y      leave out torchlet, pytorch or tfjs (reported as skipped)
  --passes n      run every setting n times, in alternating order, and keep each one's best
                  rounds (default 1; on a shared machine 2-3 give steadier ratios)
  --out path      the JSON file (default bench/results/latest.json)
  --python path   the Python that has torch (default /usr/bin/python3)`;

/** Best-of-rounds timing; quick mode trades stability for time. */
const PLANS: Record<"quick" | "full", TimingPlan> = {
  quick: { warmupSeconds: 0.15, rounds: 2, roundSeconds: 0.2, stepRounds: 1 },
  full: { warmupSeconds: 0.5, rounds: 3, roundSeconds: 0.8, stepRounds: 3 },
};

/** A runner process to start: which program, its settings, and the workloads it can run. */
interface RunConfig {
  run: Pick<Run, "id" | "label" | "group" | "tag">;
  command: string;
  args: string[];
  settings: Record<string, string | number>;
  env?: Record<string, string>;
  /** The selected workloads that this setting times (workloads.ts runsIn). */
  workloads: Workload[];
}

type Threaded = { setNumThreads?: (n: number) => void };

/** torchlet's runs: each backend that setBackend accepts, at 1 and 2 threads when there is a pool. */
async function torchletConfigs(workloads: Workload[]): Promise<(RunConfig | Run)[]> {
  const torch = await import("torchlet");
  const initial = torch.getBackend();
  const threads = typeof (torch as Threaded).setNumThreads === "function" ? [1, 2] : [0];
  const out: (RunConfig | Run)[] = [];
  for (const backend of ["js", "wasm"]) {
    try {
      torch.setBackend(backend as Parameters<typeof torch.setBackend>[0]);
    } catch (e) {
      out.push({ id: `torchlet-${backend}`, label: `torchlet ${backend}`, group: "torchlet", tag: "", status: "missing", reason: `not available: ${(e as Error).message}`, results: {} });
      continue;
    }
    for (const t of threads) {
      const suffix = t > 0 ? ` ${t}t` : "";
      const setting: Setting = { framework: "torchlet", backend, threads: t };
      out.push({
        run: { id: `torchlet-${backend}${suffix.replace(" ", "-")}`, label: `torchlet ${backend}${suffix}`, group: "torchlet", tag: suffix.trim() },
        command: process.execPath,
        args: [join(BENCH_DIR, "build", "runners", "torchlet.js")],
        settings: { backend, threads: t },
        workloads: workloads.filter((w) => runsIn(w, setting)),
      });
    }
  }
  torch.setBackend(initial);
  return out;
}

function pytorchConfigs(workloads: Workload[], python: string): RunConfig[] {
  const script = [join(BENCH_DIR, "pytorch_bench.py")];
  // Issue 5: PyTorch's best setting here is OPENBLAS_NUM_THREADS=1 with 2 torch threads; 1 thread
  // is tried too. A GEMM alone is fastest with OpenBLAS's own 2 threads: that is the GEMM target's
  // "OpenBLAS" figure.
  const make = (threads: number, blas: number, w: Workload[]): RunConfig => ({
    run: { id: `pytorch-${threads}t${blas > 1 ? `-blas${blas}t` : ""}`, label: `PyTorch ${threads}t, OPENBLAS_NUM_THREADS=${blas}`, group: "pytorch", tag: blas > 1 ? `${threads}t, BLAS ${blas}t` : `${threads}t` },
    command: python,
    args: script,
    settings: { threads },
    env: { OPENBLAS_NUM_THREADS: String(blas), OMP_NUM_THREADS: String(threads) },
    workloads: w.filter((x) => runsIn(x, { framework: "pytorch", threads })),
  });
  const gemms = workloads.filter((w) => w.gemm);
  return [make(1, 1, workloads), make(2, 1, workloads), ...(gemms.length ? [make(2, 2, gemms)] : [])];
}

function tfjsConfigs(workloads: Workload[]): RunConfig[] {
  return (["cpu", "wasm"] as const).map((backend) => ({
    run: { id: `tfjs-${backend}`, label: `TF.js ${backend}`, group: `tfjs-${backend}` as Group, tag: "" },
    command: process.execPath,
    args: [join(BENCH_DIR, "build", "runners", "tfjs.js")],
    settings: { backend },
    workloads: workloads.filter((w) => runsIn(w, { framework: "tfjs", backend, threads: 0 })),
  }));
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { quick: { type: "boolean" }, only: { type: "string" }, passes: { type: "string" }, skip: { type: "string" }, out: { type: "string" }, python: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }).values;
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const list = (s?: string) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
  let workloads: Workload[];
  try {
    workloads = selectWorkloads(list(values.only));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const skip = list(values.skip);
  for (const s of skip)
    if (!["torchlet", "pytorch", "tfjs"].includes(s)) {
      console.error(`bench: --skip takes torchlet, pytorch or tfjs, got "${s}"\n\n${USAGE}`);
      return 2;
    }
  const passes = Number(values.passes ?? 1);
  if (!Number.isInteger(passes) || passes < 1 || passes > 10) {
    console.error(`bench: --passes takes a whole number from 1 to 10, got "${values.passes}"\n\n${USAGE}`);
    return 2;
  }
  const mode = values.quick ? "quick" : "full";
  const started = performance.now();
  const machine = machineInfo();

  const planned: (RunConfig | Run)[] = [
    ...(await torchletConfigs(workloads)),
    ...pytorchConfigs(workloads, values.python ?? "/usr/bin/python3"),
    ...tfjsConfigs(workloads),
  ];
  // byPass[i]: planned entry i's run in each pass
  const byPass: Run[][] = planned.map(() => []);
  for (let pass = 0; pass < passes; pass++) {
    for (const i of passOrder(planned.length, pass)) {
      const p = planned[i];
      if (!("command" in p)) {
        byPass[i].push(p);
        continue;
      }
      const family = p.run.group.split("-")[0];
      const missingBefore = byPass.flat().find((r) => r.group === p.run.group && r.status === "missing");
      if (skip.includes(family)) {
        byPass[i].push({ ...p.run, status: "skipped", reason: `--skip ${family}`, results: {} });
      } else if (missingBefore) {
        byPass[i].push({ ...p.run, status: "missing", reason: missingBefore.reason, results: {} });
      } else if (p.workloads.length === 0) {
        byPass[i].push({ ...p.run, status: "skipped", reason: "none of the selected workloads runs in this setting", results: {} });
      } else {
        const of = passes > 1 ? ` (pass ${pass + 1}/${passes})` : "";
        process.stderr.write(`[${i + 1}/${planned.length}] ${p.run.label}${of}\n`);
        byPass[i].push({ ...p.run, ...(await runSetting(p, PLANS[mode])) });
      }
    }
  }
  const runs = byPass.map(mergePasses);

  machine["load average at end"] = os.loadavg()[0].toFixed(2);
  machine["duration"] = `${((performance.now() - started) / 1000).toFixed(0)} s`;
  machine["passes"] = passes;
  const report = buildReport({ date: new Date().toISOString(), mode, command: ["bench", ...argv].join(" "), machine }, workloads, runs);
  console.log(formatReport(report));
  const out = resolve(values.out ?? join(BENCH_DIR, "results", "latest.json"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`\nwrote ${out}\n`);
  return runs.some((r) => r.group === "torchlet" && r.status === "error") ? 1 : 0;
}

/** One setting: its shared process, then a process per ownProcess row; stops at a missing framework. */
async function runSetting(p: RunConfig, plan: TimingPlan): Promise<SpawnedResult> {
  const batches = processBatches(p.workloads);
  const parts: SpawnedResult[] = [];
  for (const batch of batches) {
    if (batches.length > 1) process.stderr.write(`  process ${parts.length + 1}/${batches.length}: ${batch.map((w) => w.id).join(", ")}\n`);
    const plans = Object.fromEntries(batch.map((w) => [w.id, planFor(w, plan)]));
    const spec = { label: p.run.label, workloads: batch, plan, plans, settings: p.settings };
    const part = await runRunner(p.command, p.args, spec, { ...process.env, ...p.env, TORCHLET_BACKEND: undefined });
    parts.push(part);
    if (part.status === "missing") return part;
  }
  return combineProcesses(parts, batches.slice(0, parts.length));
}

function machineInfo(): Record<string, string | number> {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.availableParallelism(),
    node: process.version,
    commit,
    // NOTE: other processes on the machine slow every figure; the load average says how busy it was.
    "load average at start": os.loadavg()[0].toFixed(2),
  };
}

process.exitCode = await main(process.argv.slice(2));
