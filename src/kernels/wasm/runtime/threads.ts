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
// (0.5 ms measured as good as 2 ms for LeNet-5 training, and it burns less of a core that
// another process may need: a spinning worker on a busy machine slows everyone down.)
// In a browser (a cross-origin isolated page: shared memory needs it) the workers are module
// Web Workers, and the page's main thread, which may not block, spins while it waits.

import { ThreadBackoff } from "./backoff.js";
import type { WasmMemory } from "./load.js";
import { KERNEL_NAMES, type KernelName, type KernelTable } from "./signatures.js";

// The control block (Int32Array). A call's parts sit in the PARTS area; every thread, the caller
// included, claims the next unclaimed one (Atomics.add on NEXT) until none is left, so a worker
// that wakes late, or runs slower, simply takes fewer parts. DONE counts the workers that have
// finished the call; a worker that caught an error sets FAILED. Slot t (t >= 1) is worker t's.
const DONE = 0;
const FAILED = 1;
const NEXT = 2; // the next part to claim
const COUNT = 3; // the call's number of parts
const FN = 4; // the call's kernel: an index into KERNEL_NAMES
const HEADER = 8;
const SLOT_SIZE = 4;
const SEQ = 0; // bumped by the caller to wake worker t for a call
const READY = 1; // set by the worker once its instance exists
const PART_SIZE = 32; // a part: its argument count, then the arguments
/** The most parts a call may have, and the most arguments a part. */
const MAX_PARTS = 64;
const MAX_ARGS = PART_SIZE - 1;

/** The most threads a pool runs (the calling thread and MAX_THREADS - 1 workers). */
export const MAX_THREADS = 16;

/** How long a thread spins for the next part / for the workers before it sleeps. */
const SPIN_MS = 0.5;

/** Spins until c[i] != value or SPIN_MS pass; returns whether it changed. */
function spinWhile(c: Int32Array, i: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(c, i) !== value) return true;
    if (performance.now() > until) return false;
  }
}

export interface WorkerData {
  module: object;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  slot: number;
  scratch: number;
}

/** A started worker, Node's or a browser's. */
interface WorkerHandle {
  terminate(): unknown;
}

/**
 * Starts the worker script with its data: a worker_threads Worker in Node, a module Web Worker
 * in a browser (which gets the data as its first message); null where neither exists.
 */
function startWorkerThread(url: URL, data: WorkerData): WorkerHandle | null {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    Worker?: new (url: URL, options: { type: "module" }) => WorkerHandle & { postMessage(data: unknown): void };
  };
  type WorkerThreads = { Worker: new (url: URL, options: { workerData: WorkerData }) => WorkerHandle & { unref(): void } };
  const wt = g.process?.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
  if (wt) {
    const worker = new wt.Worker(url, { workerData: data });
    worker.unref(); // idle workers never keep the process alive
    return worker;
  }
  if (!g.Worker) return null;
  const worker = new g.Worker(url, { type: "module" });
  worker.postMessage(data);
  return worker;
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not: it spins). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadPool {
  private readonly control: Int32Array;
  private readonly workers: WorkerHandle[] = [];
  private readonly blocking = canBlock();
  private unavailable = false;
  /** Whether threads pay now (see backoff.ts); scored by every threaded call. */
  readonly backoff = new ThreadBackoff();

  /**
   * `local`: the calling thread's instance; `reserveScratch`: permanent memory for a worker's
   * GEMM scratch (called only between kernel calls, see prepare()).
   */
  constructor(
    private readonly module: object,
    private readonly memory: WasmMemory,
    private readonly local: KernelTable,
    private readonly reserveScratch: () => number,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * partsBase() + 4 * PART_SIZE * MAX_PARTS));
  }

  /**
   * The threads that can take parts now, the calling one included: workers count once they have
   * started (nothing waits for a starting worker; until then its share runs here).
   */
  get size(): number {
    let n = 1;
    while (n <= this.workers.length && Atomics.load(this.control, this.slot(n) + READY)) n++;
    return n;
  }

  /** Starts workers until `threads` could run; returns how many can run now (see size). */
  prepare(threads: number): number {
    const want = Math.min(threads, MAX_THREADS);
    while (!this.unavailable && this.workers.length + 1 < want) {
      const t = this.workers.length + 1;
      const data: WorkerData = { module: this.module, memory: this.memory, control: this.control.buffer as SharedArrayBuffer, slot: this.slot(t), scratch: this.reserveScratch() };
      const worker = startWorkerThread(new URL("./worker.js", import.meta.url), data);
      if (worker) this.workers.push(worker);
      else this.unavailable = true;
    }
    return Math.min(want, this.size);
  }

  /**
   * Runs every part, on this thread and up to parts.length - 1 ready workers, each part on
   * whichever thread claims it first; returns when all are done.
   */
  run(fn: KernelName, parts: number[][]): void {
    if (parts.length > MAX_PARTS) throw new RangeError(`wasm kernels: ${fn} split into ${parts.length} parts, at most ${MAX_PARTS}`);
    const helpers = Math.min(parts.length, this.size) - 1;
    const c = this.control;
    parts.forEach((args, i) => {
      if (args.length > MAX_ARGS) throw new RangeError(`wasm kernels: ${fn} has ${args.length} arguments, at most ${MAX_ARGS}`);
      const at = partsBase() + i * PART_SIZE;
      c[at] = args.length;
      for (let k = 0; k < args.length; k++) c[at + 1 + k] = args[k];
    });
    c[FN] = KERNEL_NAMES.indexOf(fn);
    c[COUNT] = parts.length;
    Atomics.store(c, NEXT, 0);
    Atomics.store(c, DONE, 0);
    for (let t = 1; t <= helpers; t++) {
      Atomics.add(c, this.slot(t) + SEQ, 1);
      Atomics.notify(c, this.slot(t) + SEQ, 1);
    }
    const start = performance.now();
    const ran = runClaimedParts(c, this.local);
    const own = performance.now() - start;
    for (;;) {
      const done = Atomics.load(c, DONE);
      if (done >= helpers) break;
      if (!spinWhile(c, DONE, done) && this.blocking) Atomics.wait(c, DONE, done);
    }
    if (helpers > 0) this.backoff.record(performance.now() - start, own, ran / parts.length);
    if (Atomics.load(c, FAILED)) {
      Atomics.store(c, FAILED, 0);
      throw new Error(`wasm kernels: ${fn} failed in a worker thread`);
    }
  }

  private slot(t: number): number {
    return HEADER + SLOT_SIZE * (t - 1);
  }
}

/** Where the PARTS area starts: after the header and the workers' slots. */
function partsBase(): number {
  return HEADER + SLOT_SIZE * MAX_THREADS;
}

/** Claims and runs parts of the current call until none is left; returns how many it ran. */
function runClaimedParts(c: Int32Array, local: KernelTable): number {
  const kernel = local[KERNEL_NAMES[c[FN]]];
  const count = c[COUNT];
  let ran = 0;
  for (let i = Atomics.add(c, NEXT, 1); i < count; i = Atomics.add(c, NEXT, 1), ran++) {
    const at = partsBase() + i * PART_SIZE;
    kernel(...Array.from(c.subarray(at + 1, at + 1 + c[at])));
  }
  return ran;
}

/** The worker side: one instance over the shared memory, then parts until the process ends. */
export function serveParts(data: WorkerData, local: KernelTable): never {
  const c = new Int32Array(data.control);
  const s = data.slot;
  Atomics.store(c, s + READY, 1);
  let seen = 0;
  for (;;) {
    if (!spinWhile(c, s + SEQ, seen)) Atomics.wait(c, s + SEQ, seen);
    seen = Atomics.load(c, s + SEQ);
    try {
      runClaimedParts(c, local);
    } catch {
      Atomics.store(c, FAILED, 1);
    }
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
