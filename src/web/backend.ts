/// <reference lib="dom" />
// The page's kernels: the WebAssembly SIMD ones when the server has them and this browser
// compiles them, else torchlet's pure-TypeScript "js" kernels. A browser has no synchronous file
// access, so the module is fetched and compiled here and handed to the library; the compiled
// module is kept for the page's training worker (web/train-worker.ts), which instantiates it too.

import { getBackend, getNumThreads, useWasmModule, type BackendName } from "../browser.js";

/** Served by src/server/server.ts (the builds of scripts/build-wasm.mjs). */
const WASM_DIR = "/lib/kernels/wasm/";

/** The kernel module the page runs, for a worker to run the same (none: the "js" kernels). */
export interface CompiledKernels {
  module: WebAssembly.Module;
  /** The threads build (kernels-threads.wasm) over a shared memory. */
  shared: boolean;
}

let compiled: CompiledKernels | undefined;

/**
 * The backend now running, and why it is not "wasm" when it is not: the threads build when the
 * page is cross-origin isolated (the server sends the headers), else the single-thread build.
 */
export async function installWasmKernels(): Promise<{ backend: BackendName; threads: number; reason?: string }> {
  const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const url = `${WASM_DIR}${shared ? "kernels-threads" : "kernels"}.wasm`;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
    const module = await WebAssembly.compile(await res.arrayBuffer());
    useWasmModule(module, { shared });
    compiled = { module, shared };
    return { backend: getBackend(), threads: shared ? getNumThreads() : 1 };
  } catch (e) {
    return { backend: getBackend(), threads: 1, reason: (e as Error).message };
  }
}

/** The module installWasmKernels installed, if it did. */
export function compiledKernels(): CompiledKernels | undefined {
  return compiled;
}
