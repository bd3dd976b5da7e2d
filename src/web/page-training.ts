/// <reference lib="dom" />
// A training run in this page: starts web/train-worker.js (a module Web Worker), hands it the
// request, the page's compiled kernels and a shared stop flag, and turns its messages into the
// Train tab's events (the server's run events, server/training.ts, plus "kernels" and "model").
// Keeps what `torchlet train` would have written, the metrics log and the last checkpoint, for
// the page to offer as downloads.

import { runFileStem, type TrainRequest } from "../train/request.js";
import type { TrainEvent } from "./api.js";
import { compiledKernels } from "./backend.js";
import type { PageRunInput, PageRunMessage } from "./train-worker.js";

/** What the Train tab draws: a server run's events, or a page run's, which add these two. */
export type RunEvent =
  | TrainEvent
  | { type: "kernels"; run: number; backend: string; threads: number }
  /** A checkpoint of the page's run (after every epoch, and where a stop ended it). */
  | { type: "model"; run: number; bytes: Uint8Array; info: Record<string, string> };

export class PageRun {
  /** The metrics log, one JSON line per record (train/metrics.ts), as the command line writes it. */
  readonly metrics: string[] = [];
  /** The last checkpoint's bytes (safetensors, as `torchlet train` saves them). */
  checkpoint: Uint8Array | undefined;
  /** The run's file names without extension: page-<model>-<UTC time>-<run>. */
  readonly stem: string;
  private readonly worker: Worker;
  /** Shared with the worker where the page is cross-origin isolated; else stopping terminates it. */
  private readonly stopFlag = typeof SharedArrayBuffer === "function" && crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  private finished = false;

  constructor(readonly run: number, readonly request: TrainRequest, private readonly on: (e: RunEvent) => void) {
    this.stem = runFileStem(request, "page", run);
    this.worker = new Worker(new URL("./train-worker.js", import.meta.url), { type: "module" });
    this.worker.addEventListener("message", (e: MessageEvent<PageRunMessage>) => this.receive(e.data));
    this.worker.addEventListener("error", (e) => this.finish("failed", e.message || "the training worker failed to start"));
    on({ type: "queued", run, request });
    const input: PageRunInput = { request, kernels: compiledKernels(), stop: this.stopFlag };
    this.worker.postMessage(input);
  }

  get running(): boolean {
    return !this.finished;
  }

  /**
   * Asks the run to stop after its current step (the model as it is then arrives as a last
   * checkpoint); without shared memory the worker is terminated, keeping the last epoch's model.
   */
  stop(): void {
    if (this.finished) return;
    if (this.stopFlag) Atomics.store(this.stopFlag, 0, 1);
    else this.finish("stopped", "stopped; the last finished epoch's model is kept");
  }

  private receive(m: PageRunMessage): void {
    if (this.finished) return;
    const run = this.run;
    switch (m.type) {
      case "metrics":
        this.metrics.push(m.line);
        return;
      case "checkpoint":
        this.checkpoint = m.bytes;
        return this.on({ type: "model", run, bytes: m.bytes, info: m.info });
      case "error":
        return this.finish("failed", m.message);
      case "done":
        this.on({ ...m, run });
        return this.finish(m.stopped ? "stopped" : "done", m.stopped ? "stopped; the model as it was is kept" : "finished");
      default:
        this.on({ ...m, run });
    }
  }

  private finish(outcome: "done" | "stopped" | "failed", message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.worker.terminate(); // its kernel workers go with it
    this.on({ type: "finished", run: this.run, outcome, message });
  }
}
