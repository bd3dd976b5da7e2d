// The exports of the WebAssembly kernel module (../assembly/index.ts), each with its parameters,
// listed once: the type of an instance's exports (WasmExports) and the kernels' call order for
// the worker threads (KERNEL_NAMES) are derived from these tables. Every argument is an integer:
// a byte address in the module's memory, a size, or a flag (0 or 1).
// NOTE: TypeScript cannot check these against the AssemblyScript exports; the test
// test/kernels/wasm/runtime/signatures.test.ts compares them, names and parameter counts, with
// both compiled builds.

import type { WasmMemory } from "./load.js";

/**
 * The kernels: exports that compute into memory and return nothing. WasmContext.run calls them in
 * parts, one per thread; a worker is told a kernel by its index in KERNEL_NAMES.
 */
export const KERNELS = {
  // zeroes n floats at `at` (resident arrays, resident.ts)
  zeroF32: ["at", "n"],
  // lda, ldb, ldc: row strides in floats of A, B, C as stored
  gemm: ["transA", "transB", "M", "N", "K", "a", "lda", "b", "ldb", "c", "ldc", "accumulate"],
  // geo: the address of 16 i32 (geometry.ts; ../assembly/common/geometry.ts); cols: scratch for one image-group
  im2col: ["geo", "x", "cols"],
  col2im: ["geo", "cols", "dx"],
  // im2col + GEMM (../assembly/conv/conv2d.ts). chunk: images per GEMM; cols: scratch of rows x
  // chunk*OH*OW floats, tmp: of OC/groups x chunk*OH*OW
  conv2dForward: ["geo", "x", "w", "bias", "y", "cols", "tmp", "chunk"],
  conv2dBackwardInput: ["geo", "dy", "w", "dx", "dcols", "tmp", "chunk"],
  // columns [r0, r1) of each group's block of dw
  conv2dBackwardWeight: ["geo", "x", "dy", "dw", "cols", "tmp", "chunk", "r0", "r1"],
  conv2dBackwardBias: ["dy", "db", "N", "OC", "P", "o0", "o1"],
  // direct, along rows (../assembly/conv/conv2d-direct.ts). pad: scratch for one zero-padded image
  // and its tap table (../assembly/conv/padded.ts); act: 0 none, 1 tanh, 2 ReLU, 3 sigmoid
  // (../elementwise/activation.ts activationCode)
  conv2dDirectForward: ["geo", "x", "w", "bias", "y", "pad", "act"],
  // the weight gradient's part (../assembly/conv/conv2d-weight.ts): image groups [g0, g1) of G x
  // output channels [o0, o1), each group's sums into its block of `sums` (G x OC*C*KH*KW vectors
  // of 4 floats), which conv2dDirectBackwardWeightSum adds up into dw
  conv2dDirectBackwardWeight: ["geo", "x", "dy", "sums", "pad", "G", "g0", "g1", "o0", "o1"],
  conv2dDirectBackwardWeightSum: ["sums", "G", "n", "dw"],
  // four images in the lanes (../assembly/conv/conv2d-input.ts): scratch: conv2dDirectBackwardInputScratch(geo)
  // floats, packed weights and a staged group of four images of dy, one per thread
  conv2dDirectBackwardInput: ["geo", "dy", "w", "dx", "scratch"],
  // the forward with four images in the lanes (../assembly/conv/conv2d-lanes.ts); scratch:
  // conv2dLanesForwardScratch(geo) floats, one per thread
  conv2dLanesForward: ["geo", "x", "w", "bias", "y", "scratch", "act"],
  // the direct weight gradient with four images in the lanes (../assembly/conv/conv2d-weight-lanes.ts):
  // groups of whole sets of 4 images, otherwise as conv2dDirectBackwardWeight; scratch: four
  // staged images of x and dy and a tap table, one per thread
  conv2dLanesBackwardWeight: ["geo", "x", "dy", "sums", "scratch", "G", "g0", "g1", "o0", "o1"],
  // Winograd F(m x m, 3x3), m = 2 or 4 (../assembly/conv/winograd.ts): u is (a, OC, C), a = (m+2)^2,
  // the kernels' transform for output channels [o0, o1) (flip: (a, C, OC), of the input
  // gradient's turned kernels), e: 48 floats of scratch
  winogradWeights: ["w", "u", "OC", "C", "o0", "o1", "flip", "m", "e"],
  // up: u packed by winogradPackWeights (winogradPackedFloats floats) where winogradTilesAsRows(geo)
  // says, else 0; scratch: winogradScratch(geo, m, 0) floats, one per thread
  winogradForward: ["geo", "x", "u", "up", "bias", "y", "scratch", "act", "m"],
  // transform positions [k0, k1)
  winogradPackWeights: ["u", "up", "OC", "C", "k0", "k1"],
  // dw's output channels [o0, o1), through s (a, OC, C) of scratch shared by the threads;
  // scratch: winogradScratch(geo, m, 1) floats, one per thread
  winogradBackwardWeight: ["geo", "x", "dy", "s", "dw", "scratch", "o0", "o1", "m"],
  // elementwise (../assembly/elementwise/elementwise.ts) over n floats
  tanhForward: ["x", "y", "n"],
  tanhBackward: ["y", "dy", "dx", "n"],
  sigmoidForward: ["x", "y", "n"],
  sigmoidBackward: ["y", "dy", "dx", "n"],
  reluForward: ["x", "y", "n"],
  reluBackward: ["x", "dy", "dx", "n"],
  addForward: ["a", "b", "y", "n", "act"],
  // batch norm over planes [q0, q1) of (N, C, S) operands (../assembly/norm/norm.ts); sums: f64 per
  // plane (two for DySums), mean f64 for the sums, the other per-channel operands f32
  batchNormPlaneSums: ["x", "sums", "S", "q0", "q1"],
  batchNormPlaneSquares: ["x", "mean", "sums", "C", "S", "q0", "q1"],
  batchNormPlaneDySums: ["x", "dy", "mean", "sums", "C", "S", "q0", "q1"],
  batchNormForward: ["x", "mean", "scale", "shift", "y", "C", "S", "q0", "q1", "act"],
  batchNormBackwardInput: ["x", "dy", "mean", "a", "b", "k", "dx", "C", "S", "q0", "q1"],
  // pooling over planes (../assembly/pool/pool.ts); scratch: maxPoolScratch(geo) floats (the
  // strided kernel's padded plane), one per thread
  avgPool2dForward: ["geo", "x", "y", "includePad"],
  avgPool2dBackward: ["geo", "dy", "dx", "includePad"],
  maxPool2dForward: ["geo", "x", "y", "argmax", "scratch"],
  maxPool2dBackward: ["geo", "dy", "argmax", "dx"],
  // the optimizers' updates over n floats (../assembly/optim/optim.ts); h: the hyperparameters,
  // six float64 values (sgd: lr, momentum, dampening, nesterov, weightDecay, first; adam: stepSize,
  // b1, b2, eps, bc2Sqrt, weightDecay)
  sgdUpdate: ["w", "g", "buf", "n", "h"],
  adamUpdate: ["w", "g", "m", "v", "n", "h"],
} as const;

/**
 * The exports that return a number: the module's memory layout, and the scratch sizes (in floats)
 * and layout rules that a wrapper asks for before a call.
 */
export const QUERIES = {
  // the first byte the JavaScript side may use (the calling thread's scratch lies below it), and
  // the size of one thread's scratch region (../assembly/common/scratch.ts)
  dataBase: [],
  scratchBytes: [],
  conv2dDirectBackwardInputScratch: ["geo"],
  conv2dLanesForwardScratch: ["geo"],
  // weight: 1 for winogradBackwardWeight's scratch, 0 for winogradForward's
  winogradScratch: ["geo", "m", "weight"],
  // 1 where the products lay the tiles out as rows (then the forward takes packed weights)
  winogradTilesAsRows: ["geo", "m"],
  // the weight gradient's tiles per block
  winogradBlockTiles: ["geo", "m"],
  winogradPackedFloats: ["OC", "C", "m"],
  maxPoolScratch: ["geo"],
} as const;

/** Set once per instance: a worker points its instance's scratch at a region reserved for it. */
export const SETUP = {
  setScratch: ["base"],
} as const;

type Table = Record<string, readonly string[]>;
/** One number per listed parameter. */
type Numbers<P extends readonly string[]> = { [I in keyof P]: number };
type Functions<T extends Table, R> = { [K in keyof T]: (...args: Numbers<T[K]>) => R };

/** An instance's exports; pointers are byte addresses. */
export type WasmExports = { memory: WasmMemory } & Functions<typeof KERNELS, void> & Functions<typeof QUERIES, number> & Functions<typeof SETUP, void>;

export type KernelName = keyof typeof KERNELS;
/** The kernels in a fixed order: workers are told an index. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
/** An instance's kernel exports by name, as the thread pool calls them. */
export type KernelTable = Record<KernelName, (...args: number[]) => void>;
