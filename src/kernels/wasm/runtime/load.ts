// Loading the compiled kernel module synchronously. The file's I/O is confined to
// readModuleBytes() so that a browser build can replace it (fetch + compile) without touching
// the rest.
// NOTE: no static node: import, so that src/browser.ts's import graph stays browser-safe; Node
// hands out fs through process.getBuiltinModule (Node >= 20.16). In a browser the module is
// not found here and the backend stays "js" until the page supplies the compiled module
// (instantiateWasmModule, through kernels/index.ts's useWasmModule).

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

/** The exports of src/kernels/wasm/assembly/index.ts; pointers are byte addresses. */
export interface WasmExports {
  memory: WasmMemory;
  dataBase(): number;
  scratchBytes(): number;
  setScratch(base: number): void;
  zeroF32(at: number, n: number): void;
  // lda, ldb, ldc: row strides in floats of A, B, C as stored
  gemm(transA: number, transB: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, accumulate: number): void;
  // geo: the address of 16 i32 (assembly/geometry.ts); cols: scratch for one image-group
  im2col(geo: number, x: number, cols: number): void;
  col2im(geo: number, cols: number, dx: number): void;
  // chunk: images per GEMM; cols: scratch of rows x chunk*OH*OW floats, tmp: of OC/groups x chunk*OH*OW
  conv2dForward(geo: number, x: number, w: number, bias: number, y: number, cols: number, tmp: number, chunk: number): void;
  conv2dBackwardInput(geo: number, dy: number, w: number, dx: number, dcols: number, tmp: number, chunk: number): void;
  // columns [r0, r1) of each group's block of dw
  conv2dBackwardWeight(geo: number, x: number, dy: number, dw: number, cols: number, tmp: number, chunk: number, r0: number, r1: number): void;
  conv2dBackwardBias(dy: number, db: number, N: number, OC: number, P: number, o0: number, o1: number): void;
  // pad: scratch for one zero-padded image and its tap table (assembly/padded.ts)
  // act: 0 none, 1 tanh, 2 ReLU (activation.ts activationCode)
  conv2dDirectForward(geo: number, x: number, w: number, bias: number, y: number, pad: number, act: number): void;
  // the weight gradient's part: image groups [g0, g1) of G x output channels [o0, o1), each
  // group's sums into its block of `sums` (G x OC*C*KH*KW vectors of 4 floats), which
  // ...WeightSum adds up into dw
  conv2dDirectBackwardWeight(geo: number, x: number, dy: number, sums: number, pad: number, G: number, g0: number, g1: number, o0: number, o1: number): void;
  conv2dDirectBackwardWeightSum(sums: number, G: number, n: number, dw: number): void;
  tanhForward(x: number, y: number, n: number): void;
  tanhBackward(y: number, dy: number, dx: number, n: number): void;
  sigmoidForward(x: number, y: number, n: number): void;
  sigmoidBackward(y: number, dy: number, dx: number, n: number): void;
  reluForward(x: number, y: number, n: number): void;
  reluBackward(x: number, dy: number, dx: number, n: number): void;
  addForward(a: number, b: number, y: number, n: number, act: number): void;
  // batch norm over planes [q0, q1) of (N, C, S) operands (assembly/norm.ts); sums: f64 per
  // plane (two for DySums), mean f64 for the sums, the other per-channel operands f32
  batchNormPlaneSums(x: number, sums: number, S: number, q0: number, q1: number): void;
  batchNormPlaneSquares(x: number, mean: number, sums: number, C: number, S: number, q0: number, q1: number): void;
  batchNormPlaneDySums(x: number, dy: number, mean: number, sums: number, C: number, S: number, q0: number, q1: number): void;
  batchNormForward(x: number, mean: number, scale: number, shift: number, y: number, C: number, S: number, q0: number, q1: number, act: number): void;
  batchNormBackwardInput(x: number, dy: number, mean: number, a: number, b: number, k: number, dx: number, C: number, S: number, q0: number, q1: number): void;
  avgPool2dForward(geo: number, x: number, y: number, includePad: number): void;
  avgPool2dBackward(geo: number, dy: number, dx: number, includePad: number): void;
  // scratch: maxPoolScratch(geo) floats (the stride-2 kernel's padded plane), one per thread
  maxPool2dForward(geo: number, x: number, y: number, argmax: number, scratch: number): void;
  maxPoolScratch(geo: number): number;
  maxPool2dBackward(geo: number, dy: number, argmax: number, dx: number): void;
  // scratch: conv2dDirectBackwardInputScratch(geo) floats: packed weights and a staged group of
  // four images of dy, one per thread
  conv2dDirectBackwardInput(geo: number, dy: number, w: number, dx: number, scratch: number): void;
  conv2dDirectBackwardInputScratch(geo: number): number;
  // the forward with four images in the lanes (assembly/conv2d-lanes.ts); scratch:
  // conv2dLanesForwardScratch(geo) floats, one per thread
  conv2dLanesForward(geo: number, x: number, w: number, bias: number, y: number, scratch: number, act: number): void;
  conv2dLanesForwardScratch(geo: number): number;
  // the direct weight gradient with four images in the lanes (assembly/conv2d-weight-lanes.ts):
  // groups of whole sets of 4 images, otherwise as conv2dDirectBackwardWeight; scratch: four
  // staged images of x and dy and a tap table, one per thread
  conv2dLanesBackwardWeight(geo: number, x: number, dy: number, sums: number, scratch: number, G: number, g0: number, g1: number, o0: number, o1: number): void;
  // Winograd F(m x m, 3x3), m = 2 or 4 (assembly/winograd.ts): u is (a, OC, C), a = (m+2)^2, the
  // kernels' transform for output channels [o0, o1) (flip: (a, C, OC), of the input gradient's
  // turned kernels), e: 48 floats of scratch; scratch: winogradScratch(geo, m) floats, one per thread
  winogradWeights(w: number, u: number, OC: number, C: number, o0: number, o1: number, flip: number, m: number, e: number): void;
  // up: u packed by winogradPackWeights (winogradPackedFloats floats) where winogradTilesAsRows(geo) says, else 0
  winogradForward(geo: number, x: number, u: number, up: number, bias: number, y: number, scratch: number, act: number, m: number): void;
  winogradTilesAsRows(geo: number, m: number): number;
  winogradBlockTiles(geo: number, m: number): number;
  winogradPackedFloats(OC: number, C: number, m: number): number;
  // transform positions [k0, k1)
  winogradPackWeights(u: number, up: number, OC: number, C: number, k0: number, k1: number): void;
  // dw's output channels [o0, o1), through s (a, OC, C) of scratch shared by the threads
  winogradBackwardWeight(geo: number, x: number, dy: number, s: number, dw: number, scratch: number, o0: number, o1: number, m: number): void;
  // weight: 1 for winogradBackwardWeight's scratch, 0 for winogradForward's
  winogradScratch(geo: number, m: number, weight: number): number;
}

/** An instance with what a worker thread needs to make its own over the same memory. */
export interface LoadedWasm {
  exports: WasmExports;
  /** The compiled module and its shared memory: set for the threads build only. */
  threads?: { module: object; memory: WasmMemory };
}

/** The names of the exported kernel functions, in a fixed order (workers are told an index). */
export const KERNEL_NAMES = [
  "gemm", "im2col", "col2im", "conv2dForward", "conv2dBackwardInput", "conv2dBackwardWeight", "conv2dBackwardBias",
  "conv2dDirectForward", "conv2dDirectBackwardWeight",
  "tanhForward", "tanhBackward", "reluForward", "reluBackward", "avgPool2dForward", "avgPool2dBackward", "maxPool2dForward", "maxPool2dBackward",
  "conv2dDirectBackwardInput", "conv2dLanesForward", "conv2dLanesBackwardWeight",
  "winogradWeights", "winogradForward", "winogradBackwardWeight", "winogradPackWeights",
  "sigmoidForward", "sigmoidBackward", "addForward", "batchNormPlaneSums", "batchNormPlaneSquares", "batchNormPlaneDySums", "batchNormForward", "batchNormBackwardInput",
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
/** An instance's kernel exports by name, as the thread pool calls them. */
export type KernelTable = Record<KernelName, (...args: number[]) => void>;

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
