// Entry of the WebAssembly kernel module (compiled by scripts/build-wasm.mjs, once with its own
// memory and once importing a shared memory for threads). All pointers are byte addresses in
// this module's memory; operands are float32.
// Folders: common/ the helpers every kernel uses (memory, the geometry record, GEMM's scratch
// regions), then one per op family, as the wrappers in ../ are grouped.
// NOTE: every export is listed with its parameters in ../runtime/signatures.ts, the JavaScript
// side's table; test/kernels/wasm/runtime/signatures.test.ts checks that the two agree.

// the module's memory: the scratch regions below dataBase(); zeroing resident arrays
export { dataBase, scratchBytes, setScratch } from "./common/scratch";
export { zeroF32 } from "./common/mem";
export { gemm } from "./gemm/gemm";
// convolution: im2col + GEMM, direct along rows, four images in the lanes, Winograd
export { im2col, col2im } from "./conv/im2col-exports";
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight, conv2dBackwardBias } from "./conv/conv2d";
export { conv2dDirectForward } from "./conv/conv2d-direct";
export { conv2dDirectBackwardWeight, conv2dDirectBackwardWeightSum } from "./conv/conv2d-weight";
export { conv2dDirectBackwardInput, conv2dDirectBackwardInputScratch } from "./conv/conv2d-input";
export { conv2dLanesForward, conv2dLanesForwardScratch } from "./conv/conv2d-lanes";
export { conv2dLanesBackwardWeight } from "./conv/conv2d-weight-lanes";
export { winogradWeights, winogradForward, winogradBackwardWeight, winogradScratch, winogradTilesAsRows, winogradBlockTiles, winogradPackedFloats, winogradPackWeights } from "./conv/winograd";
export { tanhForward, tanhBackward, sigmoidForward, sigmoidBackward, reluForward, reluBackward, addForward } from "./elementwise/elementwise";
export { batchNormPlaneSums, batchNormPlaneSquares, batchNormPlaneDySums, batchNormForward, batchNormBackwardInput } from "./norm/norm";
export { avgPool2dForward, avgPool2dBackward, maxPool2dForward, maxPool2dBackward, maxPoolScratch } from "./pool/pool";
export { sgdUpdate, adamUpdate } from "./optim/optim";
