// torchlet for the browser: the same library as src/index.ts minus everything that touches
// node: modules (data/ reads files, io/safetensors.ts and io/atomic-write.ts write them, viz/png
// uses pngjs, cli/ and server/ are Node programs). Checkpoints come in as bytes and go through
// the pure safetensors codec. The server serves this file and its imports as static ES modules;
// test/web/server.test.ts walks that import graph and fails if a node: import ever enters it.

export { Tensor, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, rand, randn, arange, zerosLike, onesLike, type TensorOptions, type FactoryOptions } from "./creation.js";
export { manualSeed, getRngState, setRngState, Generator, type RngState } from "./core/random.js";
export type { DType } from "./core/dtype.js";
export { noGrad, isGradEnabled, setGradEnabled } from "./autograd/grad-mode.js";
export { add, sub, mul, div, pow, maximum, neg, exp, log, sqrt, abs, sigmoid, tanh, relu } from "./ops/elementwise.js";
export { sum, mean, max, argmax } from "./ops/reduce.js";
export { reshape, flatten, permute, transpose, squeeze, unsqueeze, indexSelect, cat } from "./ops/shape.js";
export { matmul } from "./ops/matmul.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { setBackend, getBackend, setNumThreads, getNumThreads, setResidentArrays, setThreadBackoff, useWasmModule, type BackendName } from "./kernels/index.js";
/** torch.nn.functional: the functional forms of layers and losses (conv2d, maxPool2d, crossEntropy, ...). */
export * as F from "./functional.js";
/** The same as F (torch.nn.functional). */
export * as functional from "./functional.js";
/** torch.nn: Module, Parameter, layers, containers, initialization. */
export * as nn from "./nn/index.js";
/** torch.optim: SGD and Adam. */
export * as optim from "./optim/index.js";
/** The course's networks (LeNet-5, the LeNets, VGG, NiN, ResNets, Inception) and their builders; torchvision.models' role. */
export * as models from "./models/index.js";
export { summary } from "./models/summary.js";
export { parseSafetensors, serializeSafetensors, type Checkpoint, type StateDict } from "./io/safetensors-codec.js";
export { parsePt, type PtValue } from "./io/pt.js";
export { parseStateDict } from "./io/formats.js";
