// Loading the compiled kernel module synchronously. The file's I/O is confined to
// readModuleBytes() so that a browser build can replace it (fetch + compile) without touching
// the rest.
// NOTE: no static node: import, so that src/browser.ts's import graph stays browser-safe; Node
// hands out fs through process.getBuiltinModule (Node >= 20.16). In a browser the module is
// not found here and the backend stays "js" until the page supplies the compiled module
// (instantiateWasmModule, through kernels/index.ts's useWasmModule).

import type { WasmExports } from "./signatures.js";

/** The part of the WebAssembly JS API used here, typed locally: lib "ES2022" has none, and
 *  lib "DOM" (which has it) would bring browser globals into the Node build. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export interface WasmMemory {
  /** An ArrayBuffer, or a SharedArrayBuffer for the threads build (which growing never detaches). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** An instance with what a worker thread needs to make its own over the same memory. */
export interface LoadedWasm {
  exports: WasmExports;
  /** The compiled module and its shared memory: set for the threads build only. */
  threads?: { module: object; memory: WasmMemory };
}

/**
 * The .wasm files sit one folder up from this file's compiled JavaScript, in kernels/wasm/
 * (scripts/build-wasm.mjs puts them there; the server serves them from there to the page).
 */
export function readModuleBytes(file = "kernels.wasm"): Uint8Array {
  type Fs = { readFileSync(path: URL): Uint8Array };
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as Fs | undefined;
  if (!fs) throw new Error("no synchronous file access here (not Node >= 20.16)");
  return fs.readFileSync(new URL(`../${file}`, import.meta.url));
}

/**
 * The instantiated module, or the reason it is unavailable (no file, no SIMD support): the
 * threads build over a new shared memory where the engine has shared memory (Node), else the
 * single-thread build.
 */
export function loadWasm(): LoadedWasm | Error {
  const wa = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wa && typeof SharedArrayBuffer === "function") {
    try {
      const threaded = instantiateWasmModule(new wa.Module(readModuleBytes("kernels-threads.wasm")), { shared: true });
      if (!(threaded instanceof Error)) return threaded;
    } catch {
      // No threads build here: the single-thread one below.
    }
  }
  const single = instantiateWasm((w) => new w.Module(readModuleBytes("kernels.wasm")));
  return single instanceof Error ? single : { exports: single };
}

/** An instance of the threads build over `memory` (also what each worker thread makes). */
export function instantiateShared(module: object, memory: WasmMemory): WasmExports | Error {
  return instantiateWasm(() => module, memory);
}

/**
 * Instantiates a kernel module compiled by the caller (a browser fetches and compiles it
 * asynchronously, since it has no synchronous file access; a WebAssembly.Module): kernels.wasm,
 * or with `shared` kernels-threads.wasm over a new shared memory (which needs SharedArrayBuffer:
 * in a browser, a cross-origin isolated page).
 */
export function instantiateWasmModule(module: object, options: { shared?: boolean } = {}): LoadedWasm | Error {
  if (!options.shared) {
    const exports = instantiateWasm(() => module);
    return exports instanceof Error ? exports : { exports };
  }
  // The threads build: a new shared memory, which worker threads will instantiate it over too.
  try {
    const wa = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    const memory = new wa.Memory({ initial: 1, maximum: 65536, shared: true });
    const exports = instantiateShared(module, memory);
    return exports instanceof Error ? exports : { exports, threads: { module, memory } };
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function instantiateWasm(compile: (wa: WebAssemblyApi) => object, memory?: WasmMemory): WasmExports | Error {
  try {
    const wa = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!wa) return new Error("this JavaScript engine has no WebAssembly");
    const env: Record<string, unknown> = { abort: wasmAbort };
    if (memory) env.memory = memory;
    return new wa.Instance(compile(wa), { env }).exports as WasmExports;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function wasmAbort(): never {
  throw new Error("wasm kernels: abort");
}
