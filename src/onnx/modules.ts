// ONNX export rules per module class: the layers whose options the ONNX nodes need (convolution,
// pooling, batch norm, ...), keyed by the exact class. A subclass, or a module with its own
// `forward` patched on, is not matched: the tracer runs its forward and records what it calls
// (onnx/trace.ts), since it may compute something else.

import { pair, type Pair } from "../ops/args.js";
import { resolvePadding } from "../ops/conv.js";
import type { Pool2dOptions } from "../ops/pool.js";
import { C3_TABLE, C3LayerSparse } from "../models/lenet5.js";
import { Dropout } from "../nn/dropout.js";
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, Conv2d, Flatten, Identity, Linear, MaxPool2d, ReLU, Sigmoid, Tanh } from "../nn/layers.js";
import type { Module } from "../nn/module.js";
import { BatchNorm, BatchNorm1d, BatchNorm2d } from "../nn/norm.js";
import type { Tensor } from "../tensor.js";
import { float, int, ints } from "./graph.js";
import { adaptivePoolNodes, linearNodes, OnnxExportError, reshapeNodes, type ExportContext } from "./ops.js";

/** Emits the nodes of m's forward on inputs (value names; xs: the tensors) and returns the output's name. */
export type ModuleRule<M extends Module = Module> = (ctx: ExportContext, m: M, inputs: string[], xs: Tensor[], y: Tensor) => string;

const rules = new Map<object, ModuleRule>();

/** Registers the export rule of exactly `cls` (not its subclasses). */
export function registerModuleRule<M extends Module>(cls: abstract new (...args: never[]) => M, rule: ModuleRule<M>): void {
  rules.set(cls.prototype, rule as ModuleRule);
}

/** m's rule when m is exactly a registered class with its own forward untouched. */
export function moduleRule(m: Module): ModuleRule | null {
  if (Object.prototype.hasOwnProperty.call(m, "forward")) return null;
  return rules.get(Object.getPrototypeOf(m)) ?? null;
}

const passThrough: ModuleRule = (_ctx, _m, [x]) => x;

registerModuleRule(Linear, (ctx, m, [x], [xt]) => linearNodes(ctx, x, ctx.weight(m.weight, "weight"), m.bias ? ctx.weight(m.bias, "bias") : null, xt.ndim));

registerModuleRule(Conv2d, (ctx, m, [x]) => {
  const { stride, dilation, groups } = m.options;
  // "same" with an even kernel pads one more row / column at the end, as PyTorch: ONNX's pads
  // are per side (top, left, bottom, right), so that asymmetry is written as it is.
  const { padding: [ph, pw], extra: [eh, ew] } = resolvePadding("Conv2d", m.weight, m.options);
  const inputs = [x, ctx.weight(m.weight, "weight"), ...(m.bias ? [ctx.weight(m.bias, "bias")] : [])];
  return ctx.g.add("Conv", inputs, [
    ints("kernel_shape", m.kernelSize),
    ints("strides", pair("Conv2d", "stride", stride ?? 1, 1)),
    ints("pads", [ph, pw, ph + eh, pw + ew]),
    ints("dilations", pair("Conv2d", "dilation", dilation ?? 1, 1)),
    int("group", groups ?? 1),
  ], ctx.scope);
});

/**
 * LeNet-5's sparse C3 as one Conv(6 -> 16, 5x5) whose weights are zero where the connection
 * table (C3_TABLE) has no connection: the same sums as the 16 small convolutions, exactly.
 */
registerModuleRule(C3LayerSparse, (ctx, m, [x]) => {
  const maps = [
    ...C3_TABLE.ch_in_3.map((subset, i) => [m.ch_3_layers[i], subset] as const),
    ...C3_TABLE.ch_in_4.map((subset, i) => [m.ch_4_layers[i], subset] as const),
    [m.ch_6_layer, [0, 1, 2, 3, 4, 5]] as const,
  ];
  const K = 25; // 5x5
  const weight = new Float32Array(maps.length * 6 * K);
  maps.forEach(([conv, subset], j) => subset.forEach((c, i) => weight.set(conv.weight.data.subarray(i * K, (i + 1) * K), (j * 6 + c) * K)));
  const bias = maps.map(([conv]) => conv.bias!.data[0]);
  const w = ctx.g.addFloat(`${ctx.scope}.weight`, [maps.length, 6, 5, 5], weight);
  const b = ctx.g.addFloat(`${ctx.scope}.bias`, [maps.length], bias);
  return ctx.g.add("Conv", [x, w, b], [ints("kernel_shape", [5, 5])], ctx.scope);
});

function poolAttributes(op: string, kernelSize: Pair, o: Pool2dOptions) {
  const kernel = pair(op, "kernelSize", kernelSize, 1);
  const [ph, pw] = pair(op, "padding", o.padding ?? 0, 0);
  return [ints("kernel_shape", kernel), ints("strides", pair(op, "stride", o.stride ?? kernel, 1)), ints("pads", [ph, pw, ph, pw]), int("ceil_mode", o.ceilMode ? 1 : 0)];
}

registerModuleRule(MaxPool2d, (ctx, m, [x]) => ctx.g.add("MaxPool", [x], poolAttributes("MaxPool2d", m.kernelSize, m.options), ctx.scope));

registerModuleRule(AvgPool2d, (ctx, m, [x]) => {
  // ONNX's count_include_pad defaults to 0, PyTorch's countIncludePad to true: always written.
  const attributes = [...poolAttributes("AvgPool2d", m.kernelSize, m.options), int("count_include_pad", m.options.countIncludePad ?? true ? 1 : 0)];
  return ctx.g.add("AveragePool", [x], attributes, ctx.scope);
});

registerModuleRule(AdaptiveAvgPool2d, (ctx, _m, [x], [xt], y) => adaptivePoolNodes(ctx, "Average", x, xt.shape, y.shape));
registerModuleRule(AdaptiveMaxPool2d, (ctx, _m, [x], [xt], y) => adaptivePoolNodes(ctx, "Max", x, xt.shape, y.shape));

const batchNormRule: ModuleRule<BatchNorm> = (ctx, m, [x]) => {
  if (!m.trackRunningStats) {
    throw new OnnxExportError(`${ctx.where}: no ONNX export for ${m.constructor.name} without running statistics (trackRunningStats: false normalises each batch by its own statistics)`);
  }
  const C = m.numFeatures;
  const scale = m.weight ? ctx.weight(m.weight, "weight") : ctx.g.addFloat(`${ctx.scope}.weight`, [C], new Float32Array(C).fill(1));
  const shift = m.bias ? ctx.weight(m.bias, "bias") : ctx.g.addFloat(`${ctx.scope}.bias`, [C], new Float32Array(C));
  const stats = [ctx.weight(m.getBuffer("running_mean"), "running_mean"), ctx.weight(m.getBuffer("running_var"), "running_var")];
  return ctx.g.add("BatchNormalization", [x, scale, shift, ...stats], [float("epsilon", m.eps)], ctx.scope);
};
registerModuleRule(BatchNorm1d, batchNormRule);
registerModuleRule(BatchNorm2d, batchNormRule);

registerModuleRule(ReLU, (ctx, _m, [x]) => ctx.g.add("Relu", [x], [], ctx.scope));
registerModuleRule(Tanh, (ctx, _m, [x]) => ctx.g.add("Tanh", [x], [], ctx.scope));
registerModuleRule(Sigmoid, (ctx, _m, [x]) => ctx.g.add("Sigmoid", [x], [], ctx.scope));
registerModuleRule(Flatten, (ctx, _m, [x], [xt], y) => reshapeNodes(ctx, x, xt.shape, y.shape));
// Dropout in eval mode (export runs the model in eval mode) and Identity: no node.
registerModuleRule(Dropout, passThrough);
registerModuleRule(Identity, passThrough);
