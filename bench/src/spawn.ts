// Starting one runner process and reading its result (protocol.ts): the last stdout line is the
// JSON result; stderr is passed through as progress and its tail kept for the error report. A
// setting whose rows need processes of their own (Workload.ownProcess) runs several, merged here.

import { spawn } from "node:child_process";
import type { Outcome, RunnerResult, RunnerSpec } from "./protocol.js";

export interface SpawnedResult extends Omit<RunnerResult, "status"> {
  status: RunnerResult["status"] | "error";
}

export function runRunner(command: string, args: string[], spec: RunnerSpec, env: NodeJS.ProcessEnv): Promise<SpawnedResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
      process.stderr.write(b);
    });
    child.on("error", (e: NodeJS.ErrnoException) =>
      resolve(e.code === "ENOENT" ? { status: "missing", reason: `${command} not found`, results: {} } : { status: "error", reason: e.message, results: {} }),
    );
    child.on("close", (code, signal) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error();
        resolve(JSON.parse(last) as RunnerResult);
      } catch {
        const tail = stderr.trim().split("\n").slice(-3).join(" / ");
        resolve({ status: "error", reason: `${spec.label} exited with ${signal ?? `code ${code}`}: ${tail || last || "no output"}`, results: {} });
      }
    });
  });
}

/**
 * One setting's result from its processes (batches[i] the workloads process i ran, in order):
 * the union of their results. A process that failed gives each of its workloads its reason as an
 * error (the other processes' figures stand) and makes the whole "error"; one that found its
 * framework missing makes the whole "missing". Version and settings: the first process's that has them.
 */
export function combineProcesses(parts: readonly SpawnedResult[], batches: readonly { id: string }[][]): SpawnedResult {
  if (parts.length === 1) return parts[0];
  const results: Record<string, Outcome> = {};
  parts.forEach((p, i) => {
    if (p.status === "error") for (const w of batches[i]) results[w.id] = { error: p.reason ?? "the runner process failed" };
    else Object.assign(results, p.results);
  });
  const bad = parts.find((p) => p.status === "missing") ?? parts.find((p) => p.status === "error");
  const info = parts.find((p) => p.version !== undefined || p.settings !== undefined);
  return {
    status: bad?.status ?? "ok",
    ...(bad?.reason !== undefined && { reason: bad.reason }),
    ...(info?.version !== undefined && { version: info.version }),
    ...(info?.settings !== undefined && { settings: info.settings }),
    results,
  };
}
