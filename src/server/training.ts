// One training run at a time, in a worker thread (train-worker.ts). Keeps the run's events so
// that a page that connects late (or reconnects) sees the whole curve, and fans them out to
// the server-sent-event subscribers. A second start while one runs is refused (409).

import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { CheckpointEntry, CheckpointRegistry } from "./registry.js";
import { runFileStem, type TrainRequest } from "../train/request.js";
import type { WorkerInput, WorkerMessage } from "./train-worker.js";

export type TrainEvent =
  | (WorkerMessage & { run: number })
  | { type: "queued"; run: number; request: TrainRequest }
  | { type: "checkpoint"; run: number; checkpoint: CheckpointEntry }
  | { type: "finished"; run: number; outcome: "done" | "stopped" | "failed"; message: string };

export class Conflict extends Error {}

/** Step events kept per run for late subscribers; older ones are thinned out, epochs are all kept. */
const MAX_STEP_EVENTS = 400;

export class TrainingManager {
  private worker: Worker | undefined;
  private stopFlag: Int32Array | undefined;
  private runNumber = 0;
  private history: TrainEvent[] = [];
  private readonly subscribers = new Set<(e: TrainEvent) => void>();

  constructor(private readonly registry: CheckpointRegistry, private readonly dataDir?: string) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Starts a run; throws Conflict if one is under way. Returns the run number. */
  start(request: TrainRequest): number {
    this.assertIdle();
    const run = ++this.runNumber;
    const save = join(this.registry.runsDir, `${runFileStem(request, "web", run)}.safetensors`);
    this.stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const input: WorkerInput = { request, save, dataDir: this.dataDir, stop: this.stopFlag };
    this.history = [];
    this.emit({ type: "queued", run, request });
    const worker = new Worker(new URL("./train-worker.js", import.meta.url), { workerData: input });
    this.worker = worker;
    let stopped = false;
    worker.on("message", (m: WorkerMessage) => {
      this.emit({ ...m, run });
      if (m.type === "saved") this.emit({ type: "checkpoint", run, checkpoint: this.registry.add(m.path) });
      if (m.type === "done") stopped = m.stopped;
    });
    worker.on("error", (e) => this.finish(run, "failed", e.message));
    worker.on("exit", (code) => {
      if (code === 0) this.finish(run, stopped ? "stopped" : "done", stopped ? "stopped; the model as it was is saved" : "finished");
      else this.finish(run, "failed", `the training worker exited with code ${code}`);
    });
    return run;
  }

  /** Throws Conflict, saying why, while a run is under way. */
  assertIdle(): void {
    if (this.worker) {
      throw new Conflict(`a training run (#${this.runNumber}) is already in progress; stop it or wait for it to finish before starting another`);
    }
  }

  /** Asks the run to stop after its current step; false when nothing runs. */
  stop(): boolean {
    if (!this.worker || !this.stopFlag) return false;
    Atomics.store(this.stopFlag, 0, 1);
    return true;
  }

  /** Every event of the current (or last) run, then live ones, until the returned function is called. */
  subscribe(listener: (e: TrainEvent) => void): () => void {
    for (const e of this.history) listener(e);
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  status(): { running: boolean; run: number; events: number } {
    return { running: this.running, run: this.runNumber, events: this.history.length };
  }

  /** Terminates a run in progress (server shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.subscribers.clear();
    if (w) await w.terminate();
  }

  private finish(run: number, outcome: "done" | "stopped" | "failed", message: string): void {
    if (!this.worker || run !== this.runNumber) return; // "error" is followed by "exit": report once
    this.worker = undefined;
    this.emit({ type: "finished", run, outcome, message });
  }

  private emit(e: TrainEvent): void {
    this.history.push(e);
    const steps = this.history.filter((h) => h.type === "step");
    if (steps.length > MAX_STEP_EVENTS) {
      const drop = new Set<TrainEvent>(steps.filter((_, i) => i % 2 === 1));
      this.history = this.history.filter((h) => !drop.has(h));
    }
    for (const s of this.subscribers) s(e);
  }
}
