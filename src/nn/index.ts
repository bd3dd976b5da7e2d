// torch.nn

export { Module, type StateDict } from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential, ModuleList } from "./containers.js";
export { Linear, Conv2d, AvgPool2d, MaxPool2d, Tanh, Sigmoid, ReLU, Identity, Flatten, type Conv2dLayerOptions } from "./layers.js";
export { Conv1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, type Conv1dLayerOptions } from "./layers.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./norm.js";
export { Dropout } from "./dropout.js";
export { LazyLinear, LazyConv2d, LazyBatchNorm2d, UninitializedParameter } from "./lazy.js";
/** torch.nn.init: in-place initializers with PyTorch's formulas. */
export * as init from "./init.js";
/** torch.nn.functional (the same as torchlet's F). */
export * as functional from "../functional.js";
