// The WebAssembly backend: the reference kernels with the hot ones replaced by SIMD versions.
// All of them share one module instance, one staging arena (calls never nest) and, with the
// threads build, one pool of worker threads.
// createWasmKernels() returns the Error when the module cannot load (not built, no SIMD).

import type { Kernels } from "../index.js";
import { makeConvKernels } from "./conv2d.js";
import { WasmContext } from "./context.js";
import { makeElementwiseKernels } from "./elementwise.js";
import { makeGemm } from "./gemm.js";
import { loadWasm, type LoadedWasm } from "./load.js";
import { makePoolKernels } from "./pool.js";

/** `loaded`: an instance made elsewhere (the browser's compiled module); default: read the file. */
export function createWasmKernels(ref: Kernels, loaded: LoadedWasm | Error = loadWasm()): Kernels | Error {
  if (loaded instanceof Error) return loaded;
  const ctx = new WasmContext(loaded);
  return { ...ref, gemm: makeGemm(ctx), ...makeConvKernels(ctx), ...makeElementwiseKernels(ctx), ...makePoolKernels(ctx) };
}
