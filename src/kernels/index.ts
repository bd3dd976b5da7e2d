// The kernel interface: flat arrays and integer sizes only, never a Tensor or autograd type.
// Ops call kernels through `kernels`, so a faster backend (WebAssembly) can replace the
// plain-TypeScript reference implementations one entry at a time; the references stay as
// the specification and the test oracle.
// Backends: "js" (the references) and "wasm" (SIMD kernels, src/kernels/wasm/). The default is
// "wasm" when its module loads and passes a small self-check against "js", else "js";
// the environment variable TORCHLET_BACKEND overrides it.

import { envVar } from "../core/env.js";
import { setLargeArraySource } from "../core/pool.js";
import { conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from "./ref/conv2d.js";
import { addForward, reluBackward, reluForward, sigmoidBackward, sigmoidForward, tanhBackward, tanhForward } from "./ref/elementwise.js";
import { gemm, gemmPair, type GemmArgs } from "./ref/gemm.js";
import { col2im, im2col } from "./ref/im2col.js";
import { batchNormBackwardInput, batchNormBackwardSums, batchNormForward, batchNormStats } from "./ref/norm.js";
import { adamUpdate, sgdUpdate } from "./ref/optim.js";
import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward } from "./ref/pool.js";
import { getRequestedThreads, setRequestedThreads } from "./wasm/runtime/context.js";
import { createWasmKernels, wasmResidentHeap, wasmThreadsReady } from "./wasm/index.js";
import { instantiateWasmModule } from "./wasm/runtime/load.js";
import { selfCheck } from "./wasm/runtime/self-check.js";
import { MAX_THREADS } from "./wasm/runtime/threads.js";

export { setThreadBackoff } from "./wasm/runtime/backoff.js";

export interface Kernels {
  gemm: typeof gemm;
  gemmPair: typeof gemmPair;
  im2col: typeof im2col;
  col2im: typeof col2im;
  conv2dForward: typeof conv2dForward;
  conv2dBackwardInput: typeof conv2dBackwardInput;
  conv2dBackwardWeight: typeof conv2dBackwardWeight;
  conv2dBackwardBias: typeof conv2dBackwardBias;
  avgPool2dForward: typeof avgPool2dForward;
  avgPool2dBackward: typeof avgPool2dBackward;
  maxPool2dForward: typeof maxPool2dForward;
  maxPool2dBackward: typeof maxPool2dBackward;
  tanhForward: typeof tanhForward;
  tanhBackward: typeof tanhBackward;
  sigmoidForward: typeof sigmoidForward;
  sigmoidBackward: typeof sigmoidBackward;
  reluForward: typeof reluForward;
  reluBackward: typeof reluBackward;
  addForward: typeof addForward;
  batchNormStats: typeof batchNormStats;
  batchNormForward: typeof batchNormForward;
  batchNormBackwardSums: typeof batchNormBackwardSums;
  batchNormBackwardInput: typeof batchNormBackwardInput;
  sgdUpdate: typeof sgdUpdate;
  adamUpdate: typeof adamUpdate;
}

export const refKernels: Kernels = {
  gemm,
  gemmPair,
  im2col,
  col2im,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dBackwardBias,
  avgPool2dForward,
  avgPool2dBackward,
  maxPool2dForward,
  maxPool2dBackward,
  tanhForward,
  tanhBackward,
  sigmoidForward,
  sigmoidBackward,
  reluForward,
  reluBackward,
  addForward,
  batchNormStats,
  batchNormForward,
  batchNormBackwardSums,
  batchNormBackwardInput,
  sgdUpdate,
  adamUpdate,
};

/** The kernels ops run on: "js" (plain TypeScript loops, the reference) or "wasm" (WebAssembly SIMD, the default where it loads). */
export type BackendName = "js" | "wasm";

/**
 * Matrix products with fewer multiply-adds than this run the reference GEMM whatever the backend:
 * staging their operands into WebAssembly memory costs more than the product (a batch-1
 * logistic-regression step ran at ~61,000 steps/s through the wasm GEMM, ~94,000 without).
 */
export const TINY_GEMM = 4096;

/** The GEMM for a product of this size: see TINY_GEMM. */
export function gemmFor(M: number, N: number, K: number): Kernels["gemm"] {
  return M * N * K < TINY_GEMM ? refKernels.gemm : kernels.gemm;
}

/** Two independent products at once (see Kernels.gemmPair), each by gemmFor's rule when tiny. */
export function gemmPairFor(a: GemmArgs, b: GemmArgs): void {
  if (a.M * a.N * a.K < TINY_GEMM || b.M * b.N * b.K < TINY_GEMM) {
    gemmFor(a.M, a.N, a.K)(a);
    gemmFor(b.M, b.N, b.K)(b);
  } else kernels.gemmPair(a, b);
}

/** The WebAssembly kernels, or why they are unavailable (created once, on first need). */
let wasm: Kernels | Error | undefined;

function wasmKernels(): Kernels | Error {
  wasm ??= createWasmKernels(refKernels);
  return wasm;
}

/** The active backend's kernels. */
export let kernels: Kernels = refKernels;
let active: BackendName = "js";

/**
 * Switches every op to the "js" or "wasm" kernels.
 * @throws RangeError on an unknown name; Error when "wasm" is unavailable (the message says why).
 * @example
 * const before = torch.getBackend();
 * torch.setBackend("js");
 * torch.getBackend() // => "js"
 * torch.setBackend(before);
 * torch.setBackend("cuda" as torch.BackendName) // throws RangeError: unknown backend
 */
export function setBackend(name: BackendName): void {
  if (name === "js") {
    kernels = refKernels;
  } else if (name === "wasm") {
    const k = wasmKernels();
    if (k instanceof Error) throw new Error(`setBackend: the "wasm" backend is unavailable: ${k.message}`);
    kernels = k;
  } else {
    throw new RangeError(`setBackend: unknown backend "${name}" (available: "js", "wasm")`);
  }
  active = name;
  offerResidentArrays();
}

/** Whether large arrays may live in the "wasm" backend's memory (TORCHLET_RESIDENT=0: never). */
let residentAllowed = envVar("TORCHLET_RESIDENT") !== "0";

/**
 * While "wasm" is active, new large float32 arrays live in its memory, where its kernels use
 * them without copies (wasm/runtime/resident.ts); `false` keeps them on the JS heap (for comparisons).
 */
export function setResidentArrays(on: boolean): void {
  residentAllowed = on;
  offerResidentArrays();
}

function offerResidentArrays(): void {
  const heap = wasm && !(wasm instanceof Error) ? wasmResidentHeap(wasm) : null;
  if (heap === null) return;
  heap.enabled = residentAllowed && active === "wasm";
  setLargeArraySource(heap); // also while disabled: its arrays still go back to the pool
}

/** The active backend's name. */
export function getBackend(): BackendName {
  return active;
}

/** The kernels of a backend without switching to it (for tests and benchmarks). */
export function backendKernels(name: BackendName): Kernels {
  if (name === "js") return refKernels;
  const k = wasmKernels();
  if (k instanceof Error) throw new Error(`backendKernels: the "wasm" backend is unavailable: ${k.message}`);
  return k;
}

/**
 * How many threads the "wasm" kernels may use (as torch.set_num_threads): 1 keeps all work on
 * the calling thread. The default is one per core (TORCHLET_NUM_THREADS overrides it). Small
 * calls stay on the calling thread whatever the setting; results are the same bits for any
 * number of threads. Where worker threads are unavailable (a browser page), 1 is used.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS)
    throw new RangeError(`setNumThreads: expected an integer from 1 to ${MAX_THREADS}, got ${n}`);
  setRequestedThreads(n);
}

/** The thread count set by setNumThreads (or the default). */
export function getNumThreads(): number {
  return getRequestedThreads();
}

/**
 * The threads that the "wasm" kernels could use right now, the calling one included: started
 * workers count once they are ready (for tests and status lines).
 */
export function readyThreads(): number {
  return wasm && !(wasm instanceof Error) ? wasmThreadsReady(wasm) : 1;
}

/**
 * Installs a compiled kernel module (a WebAssembly.Module) supplied by the caller, for engines
 * where this module cannot read the file itself (a browser fetches and compiles it), and makes
 * "wasm" the backend: kernels.wasm, or kernels-threads.wasm with `{ shared: true }` (worker
 * threads over a shared memory; a browser needs a cross-origin isolated page for it). Throws,
 * leaving the backend as it was, when the module does not instantiate or fails the self-check
 * against "js".
 */
export function useWasmModule(module: object, options: { shared?: boolean } = {}): void {
  const k = createWasmKernels(refKernels, instantiateWasmModule(module, options));
  if (k instanceof Error) throw new Error(`useWasmModule: the module does not instantiate: ${k.message}`);
  if (!selfCheck(k, refKernels)) throw new Error("useWasmModule: the module's kernels disagree with the js kernels (self-check failed)");
  wasm = k;
  setBackend("wasm");
}

/** Bytes of resident arrays taken so far (0 without them): for tests and memory reports. */
export function residentBytes(): number {
  return wasm && !(wasm instanceof Error) ? (wasmResidentHeap(wasm)?.reservedBytes ?? 0) : 0;
}

function initialBackend(): void {
  const env = envVar("TORCHLET_BACKEND");
  if (env) return setBackend(env as BackendName);
  const k = wasmKernels();
  if (!(k instanceof Error) && selfCheck(k, refKernels)) setBackend("wasm");
}
initialBackend();

export type { ConvGeometry } from "./ref/im2col.js";
export { slidingOutputSize } from "./ref/im2col.js";
export type { PoolGeometry } from "./ref/pool.js";
export type { GemmArgs } from "./ref/gemm.js";
export type { Conv2dDims } from "./ref/conv2d.js";
export type { NormDims } from "./ref/norm.js";
