// What every WebAssembly kernel wrapper shares: the module's exports, the staging arena, and
// the thread pool (threads build only), with the rule for how many threads a call gets.

import { envVar } from "../../../core/env.js";
import { Arena } from "./arena.js";
import type { LoadedWasm } from "./load.js";
import type { KernelName, KernelTable, WasmExports } from "./signatures.js";
import { ResidentHeap } from "./resident.js";
import { MAX_THREADS, ThreadPool } from "./threads.js";

/** The threads a call may use (setNumThreads); the default is one per core. */
let requestedThreads = defaultThreads();

function defaultThreads(): number {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown }; navigator?: { hardwareConcurrency?: number } };
  const env = envVar("TORCHLET_NUM_THREADS");
  if (env !== undefined && /^\d+$/.test(env) && Number(env) >= 1) return Math.min(Number(env), MAX_THREADS);
  const os = g.process?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const cores = os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

export function setRequestedThreads(n: number): void {
  requestedThreads = n;
}

export function getRequestedThreads(): number {
  return requestedThreads;
}

export class WasmContext {
  readonly wasm: WasmExports;
  readonly arena: Arena;
  readonly pool: ThreadPool | null;
  /** Tensor storage in the module's memory: the threads build only (see resident.ts). */
  readonly resident: ResidentHeap | null;

  constructor(loaded: LoadedWasm) {
    const wasm = (this.wasm = loaded.exports);
    this.arena = new Arena(wasm);
    const t = loaded.threads;
    this.pool = t ? new ThreadPool(t.module, t.memory, wasm as unknown as KernelTable, () => this.arena.reserve(wasm.scratchBytes())) : null;
    this.resident = this.arena.resident = t ? new ResidentHeap(this.arena, t.memory, (at, n) => wasm.zeroF32(at, n)) : null;
  }

  /**
   * How many threads a call with `work` units gets: one per `perThread` units, at most the
   * requested number, one while the pool's backoff says threads lose (backoff.ts). Starts
   * workers if needed, so call it before arena.reset().
   * NOTE: waking a worker and waiting for it costs tens of microseconds, so small calls stay on
   * the calling thread.
   */
  threads(work: number, perThread: number): number {
    const want = Math.min(requestedThreads, Math.floor(work / perThread));
    return want <= 1 || !this.pool ? 1 : Math.min(this.pool.prepare(want), this.pool.backoff.allows() ? want : 1);
  }

  /** As threads(), but only with the workers already started (safe while the arena is in use). */
  threadsNow(work: number, perThread: number): number {
    const want = Math.min(requestedThreads, Math.floor(work / perThread));
    return want <= 1 || !this.pool || !this.pool.backoff.allows() ? 1 : Math.min(want, this.pool.size);
  }

  /** Runs parts[t] on thread t; a single part runs directly. */
  run(fn: KernelName, parts: number[][]): void {
    if (parts.length === 1 || !this.pool) for (const p of parts) (this.wasm[fn] as (...a: number[]) => void)(...p);
    else this.pool.run(fn, parts);
  }
}

/**
 * How many parts a call of light, evenly divisible work (elementwise, pooling) gets: four per
 * thread, so that the calling thread takes over the share of a worker that starts late (one
 * woken from sleep starts ~0.15 ms late; these calls last ~0.1-0.3 ms).
 * NOTE: LeNet-5 training with 2 threads, alternating same-process rounds: +5-8% against one part
 * per thread. The heavy kernels keep one part per thread (see ranges below).
 */
export function lightParts(threads: number): number {
  return threads > 1 ? 4 * threads : 1;
}

/**
 * [0, total) in at most `parts` consecutive ranges of near-equal size, boundaries on multiples of
 * `align`: a call's parts, one per thread, or lightParts() (threads claim them as they go, see threads.ts).
 * NOTE: more parts than threads (4 per thread) measured slower, for training and GEMM alike
 * (LeNet-5 full C3 with 2 threads ~5,500 against ~6,300 img/s; GEMM 1024^3 ~62 against ~69
 * GFLOP/s): each part repacks its GEMM operands, and a spinning worker starts at once anyway.
 */
export function ranges(total: number, parts: number, align = 1): [number, number][] {
  const units = Math.ceil(total / align);
  const n = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.min(total, Math.floor((units * i) / n) * align);
    const b = Math.min(total, Math.floor((units * (i + 1)) / n) * align);
    if (b > a) out.push([a, b]);
  }
  return out;
}
