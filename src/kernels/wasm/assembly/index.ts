// Entry of the WebAssembly kernel module (compiled by scripts/build-wasm.mjs, once with its own
// memory and once importing a shared memory for threads). All pointers are byte addresses in
// this module's memory; operands are float32.

export { dataBase, scratchBytes, setScratch } from "./scratch";
export { zeroF32 } from "./mem";
export { gemm } from "./gemm";
export { im2col, col2im } from "./im2col-exports";
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight, conv2dBackwardBias } from "./conv2d";
export { conv2dDirectForward } from "./conv2d-direct";
export { conv2dDirectBackwardWeight, conv2dDirectBackwardWeightSum } from "./conv2d-weight";
export { conv2dDirectBackwardInput, conv2dDirectBackwardInputScratch } from "./conv2d-input";
export { conv2dLanesForward, conv2dLanesForwardScratch } from "./conv2d-lanes";
export { conv2dLanesBackwardWeight } from "./conv2d-weight-lanes";
export { tanhForward, tanhBackward, sigmoidForward, sigmoidBackward, reluForward, reluBackward, addForward } from "./elementwise";
export { batchNormPlaneSums, batchNormPlaneSquares, batchNormPlaneDySums, batchNormForward, batchNormBackwardInput } from "./norm";
export { avgPool2dForward, avgPool2dBackward, maxPool2dForward, maxPool2dBackward, maxPoolScratch } from "./pool";
export { winogradWeights, winogradForward, winogradBackwardWeight, winogradScratch, winogradTilesAsRows, winogradBlockTiles, winogradPackedFloats, winogradPackWeights } from "./winograd";
