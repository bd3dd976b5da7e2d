// torch.nn.functional: the functional forms of layers and losses.

export { linear } from "./ops/matmul.js";
export { conv2d, type Conv2dOptions } from "./ops/conv.js";
export { avgPool2d, maxPool2d, type Pool2dOptions, type AvgPool2dOptions } from "./ops/pool.js";
export { softmax, logSoftmax, crossEntropy, type Reduction } from "./ops/softmax.js";
export { mseLoss, softMarginLoss } from "./ops/loss.js";
export { relu, sigmoid, tanh, logsigmoid } from "./ops/elementwise.js";
export { conv1d, type Conv1dOptions } from "./ops/conv1d.js";
export { pad, type PadOptions, type PadMode } from "./ops/pad.js";
export { interpolate, type InterpolateOptions, type InterpolateMode } from "./ops/interpolate.js";
export { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize } from "./ops/adaptive-pool.js";
export { batchNorm } from "./ops/norm.js";
export { dropout } from "./ops/dropout.js";
