// The WebAssembly backend: the reference kernels with the hot ones replaced by SIMD versions.
// All of them share one module instance, one staging arena (calls never nest) and, with the
// threads build, one pool of worker threads.
// createWasmKernels() returns the Error when the module cannot load (not built, no SIMD).
// Layout: runtime/ loads the module and runs it (the arena, resident arrays, worker threads, the
// table of exports: signatures.ts); conv/ gemm/ pool/ norm/ elementwise/ hold each op family's
// wrappers (optim/: the optimizers' updates), and where several kernels can run an op, the rules that choose one (conv/choose.ts);
// assembly/ the AssemblyScript kernels, grouped the same way.

import type { Kernels } from "../index.js";
import { makeConvKernels } from "./conv/conv2d.js";
import { getRequestedThreads, WasmContext } from "./runtime/context.js";
import { makeElementwiseKernels } from "./elementwise/elementwise.js";
import { makeGemmKernels } from "./gemm/gemm.js";
import { loadWasm, type LoadedWasm } from "./runtime/load.js";
import { makeNormKernels } from "./norm/norm.js";
import { makeOptimKernels } from "./optim/optim.js";
import { makePoolKernels } from "./pool/pool.js";
import type { ResidentHeap } from "./runtime/resident.js";

/** The context behind each kernel table made here. */
const contexts = new WeakMap<Kernels, WasmContext>();

/** `loaded`: an instance made elsewhere (the browser's compiled module); default: read the file. */
export function createWasmKernels(ref: Kernels, loaded: LoadedWasm | Error = loadWasm()): Kernels | Error {
  if (loaded instanceof Error) return loaded;
  const ctx = new WasmContext(loaded);
  const kernels = { ...ref, ...makeGemmKernels(ctx), ...makeConvKernels(ctx), ...makeElementwiseKernels(ctx), ...makePoolKernels(ctx), ...makeNormKernels(ctx), ...makeOptimKernels(ctx) };
  contexts.set(kernels, ctx);
  return kernels;
}

/** How many threads a table's kernels could use now (its pool's ready workers and the caller). */
export function wasmThreadsReady(kernels: Kernels): number {
  return Math.min(contexts.get(kernels)?.pool?.size ?? 1, getRequestedThreads());
}

/** A table's heap of resident arrays (runtime/resident.ts): null for the single-thread build. */
export function wasmResidentHeap(kernels: Kernels): ResidentHeap | null {
  return contexts.get(kernels)?.resident ?? null;
}
