// A pool of worker threads for the WebAssembly kernels. Each worker makes its own instance of
// the threads build over the same shared memory (its own globals, so its own GEMM scratch,
// pointed at a region reserved for it), then sleeps in Atomics.wait until the calling thread
// hands it a part of a kernel call: the name of a kernel export and its integer arguments
// (addresses and sizes), written to the worker's slot of a small shared control block.
// The calling thread runs part 0 itself and waits until the workers' parts are done. Parts write
// disjoint outputs, so nothing else needs locking.
// NOTE: both sides spin for a short while (SPIN_MS) before they sleep: on this kind of machine a
// thread woken from Atomics.wait after more than ~0.1 ms asleep starts 130-160 us late (the
// idle virtual CPU has to be woken), against ~1 us for a spinning one, and a training step calls
// kernels every few hundred microseconds. Idle for longer than SPIN_MS, every thread sleeps.
// NOTE: Node only for now: a browser's main thread may not Atomics.wait, and a shared memory
// needs a cross-origin isolated page; there the single-thread build runs.

import { KERNEL_NAMES, type KernelName, type WasmMemory } from "./load.js";

// The control block (Int32Array): DONE counts finished parts of the current call; a worker that
// caught an error sets FAILED. Slot t (t >= 1) belongs to worker t.
const DONE = 0;
const FAILED = 1;
const SLOTS = 8;
const SLOT_SIZE = 32;
const SEQ = 0; // bumped by the caller for each part it hands out
const READY = 1; // set by the worker once its instance exists
const FN = 2; // index into KERNEL_NAMES
const NARGS = 3;
const ARGS = 4;
export const MAX_ARGS = SLOT_SIZE - ARGS;

/** The most threads a pool runs (the calling thread and MAX_THREADS - 1 workers). */
export const MAX_THREADS = 16;

/** How long a thread spins for the next part / for the workers before it sleeps. */
const SPIN_MS = 2;

/** Spins until c[i] != value or SPIN_MS pass; returns whether it changed. */
function spinWhile(c: Int32Array, i: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(c, i) !== value) return true;
    if (performance.now() > until) return false;
  }
}

/** How long a worker may take to start before the pool gives up on threads. */
const START_TIMEOUT_MS = 30_000;

export interface WorkerData {
  module: object;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  slot: number;
  scratch: number;
}

type NodeWorker = { unref(): void; terminate(): Promise<number> };
type WorkerThreads = { Worker: new (url: URL, options: { workerData: WorkerData }) => NodeWorker };

export class ThreadPool {
  private readonly control: Int32Array;
  private readonly workers: NodeWorker[] = [];
  private readonly startedAt: number[] = [];
  private broken: Error | null = null;

  /**
   * `run`: the calling thread's instance; `reserve`: permanent memory for a worker's scratch
   * (called only between kernel calls, see prepare()).
   */
  constructor(
    private readonly module: object,
    private readonly memory: WasmMemory,
    private readonly local: Record<KernelName, (...args: number[]) => void>,
    private readonly reserveScratch: () => number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * (SLOT_SIZE * (MAX_THREADS + 1))));
  }

  /** The threads available now, the calling one included (1 when workers cannot start). */
  get size(): number {
    return this.broken ? 1 : this.workers.length + 1;
  }

  /** Starts workers until `threads` can run (call between kernel calls: it reserves memory). */
  prepare(threads: number): number {
    if (this.broken) return 1;
    const want = Math.min(threads, MAX_THREADS);
    while (this.workers.length + 1 < want) {
      const started = this.startWorker(this.workers.length + 1);
      if (!started) break;
    }
    return this.size;
  }

  /** Runs parts[t] on thread t (part 0 on the caller) and returns when all are done. */
  run(fn: KernelName, parts: number[][]): void {
    const n = Math.min(parts.length, this.size);
    const c = this.control;
    Atomics.store(c, DONE, 0);
    for (let t = 1; t < n; t++) {
      const s = this.slot(t);
      const args = parts[t];
      c[s + FN] = KERNEL_NAMES.indexOf(fn);
      c[s + NARGS] = args.length;
      for (let i = 0; i < args.length; i++) c[s + ARGS + i] = args[i];
      Atomics.add(c, s + SEQ, 1);
      Atomics.notify(c, s + SEQ, 1);
    }
    this.local[fn](...parts[0]);
    // Parts beyond the threads there are run here, in order.
    for (let t = n; t < parts.length; t++) this.local[fn](...parts[t]);
    this.waitFor(fn, parts, n);
    if (Atomics.load(c, FAILED)) {
      Atomics.store(c, FAILED, 0);
      throw new Error(`wasm kernels: ${fn} failed in a worker thread`);
    }
  }

  /** Sleeps until workers 1..n-1 are done; a worker that never started has its part run here. */
  private waitFor(fn: KernelName, parts: number[][], n: number): void {
    const c = this.control;
    let expected = n - 1;
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done >= expected) return;
      if (spinWhile(c, DONE, done) || Atomics.wait(c, DONE, done, 1000) !== "timed-out") continue;
      for (let t = 1; t < n; t++) {
        if (Atomics.load(c, this.slot(t) + READY) || Date.now() - this.startedAt[t - 1] < START_TIMEOUT_MS) continue;
        // Ready workers finish their parts; later calls run on the calling thread only.
        this.broken = new Error(`wasm kernels: worker thread ${t} did not start within ${START_TIMEOUT_MS / 1000} s`);
        void this.workers[t - 1].terminate();
        Atomics.store(c, this.slot(t) + READY, 1); // counted once
        this.local[fn](...parts[t]);
        expected--;
      }
    }
  }

  private slot(t: number): number {
    return SLOT_SIZE * t;
  }

  private startWorker(t: number): boolean {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
    if (!wt) {
      this.broken = new Error("no worker threads here");
      return false;
    }
    const data: WorkerData = { module: this.module, memory: this.memory, control: this.control.buffer as SharedArrayBuffer, slot: this.slot(t), scratch: this.reserveScratch() };
    const worker = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: data });
    worker.unref(); // idle workers never keep the process alive
    this.workers.push(worker);
    this.startedAt.push(Date.now());
    return true;
  }
}

/** The worker side: one instance over the shared memory, then parts until the process ends. */
export function serveParts(data: WorkerData, local: Record<KernelName, (...args: number[]) => void>): never {
  const c = new Int32Array(data.control);
  const s = data.slot;
  Atomics.store(c, s + READY, 1);
  let seen = 0;
  for (;;) {
    if (!spinWhile(c, s + SEQ, seen)) Atomics.wait(c, s + SEQ, seen);
    seen = Atomics.load(c, s + SEQ);
    try {
      const args = Array.from(c.subarray(s + ARGS, s + ARGS + c[s + NARGS]));
      local[KERNEL_NAMES[c[s + FN]]](...args);
    } catch {
      Atomics.store(c, FAILED, 1);
    }
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
