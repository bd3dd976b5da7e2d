// ONNX export rules for the ops a model's own forward calls between its modules (x.add(identity),
// relu(...), x.view([-1, 400]), cat, linear): keyed by the op name the autograd graph records
// (autograd/function.ts makeResult). The graph keeps inputs and output shapes but no
// hyper-parameters, so only ops whose attributes follow from shapes are here; a convolution or a
// pooling must come from its nn module (onnx/modules.ts), which knows its options.

import type { Node } from "../autograd/node.js";
import { shapeStr } from "../core/shape.js";
import type { Tensor } from "../tensor.js";
import { int, ints, type GraphBuilder } from "./graph.js";

/** What a rule sees of the export in progress. */
export interface ExportContext {
  g: GraphBuilder;
  /** The module path the nodes come from ("layer1.0"; "" for the model itself). */
  scope: string;
  /** The scope for messages: the path, or "model" for the model itself. */
  where: string;
  /** Whether dim 0 is the batch, left free in the file (reshapes must not fix it). */
  dynamicBatch: boolean;
  /** The initializer of a tensor the model holds: its state-dict name, or `${scope}.${name}`. */
  weight(t: Tensor, name: string): string;
}

/** The error torch.onnx.export throws for a model it cannot write: an op, a layer or an option ONNX export does not cover. */
export class OnnxExportError extends Error {
  override name = "OnnxExportError";
}

export type OpRule = (ctx: ExportContext, inputs: string[], node: Node, y: Tensor) => string;

/** Activation names as ops/fused.ts and the elementwise table spell them -> ONNX op types. */
export const ACTIVATION_OPS: Readonly<Record<string, string>> = { relu: "Relu", tanh: "Tanh", sigmoid: "Sigmoid" };

const UNARY_OPS: Readonly<Record<string, string>> = { ...ACTIVATION_OPS, neg: "Neg", exp: "Exp", log: "Log", sqrt: "Sqrt", abs: "Abs" };
// ONNX's binary ops broadcast as NumPy (and so torchlet) do.
const BINARY_OPS: Readonly<Record<string, string>> = { add: "Add", sub: "Sub", mul: "Mul", div: "Div", pow: "Pow", maximum: "Max" };

export const OP_RULES: Readonly<Record<string, OpRule>> = {
  ...Object.fromEntries(Object.entries({ ...UNARY_OPS, ...BINARY_OPS }).map(([op, type]) => [op, (ctx, inputs) => ctx.g.add(type, inputs, [], ctx.scope)] as [string, OpRule])),
  matmul: (ctx, inputs) => ctx.g.add("MatMul", inputs, [], ctx.scope),
  linear: (ctx, [x, w, b], node) => linearNodes(ctx, x, w, b ?? null, node.inputs[0].ndim),
  reshape: (ctx, [x], node, y) => reshapeNodes(ctx, x, node.inputs[0].shape, y.shape),
  cat: (ctx, inputs, node, y) => ctx.g.add("Concat", inputs, [int("axis", catAxis(node.inputs, y))], ctx.scope),
  adaptiveAvgPool2d: (ctx, [x], node, y) => adaptivePoolNodes(ctx, "Average", x, node.inputs[0].shape, y.shape),
  adaptiveMaxPool2d: (ctx, [x], node, y) => adaptivePoolNodes(ctx, "Max", x, node.inputs[0].shape, y.shape),
};

/** y = x W^T + b: one Gemm for a 2-D x, else MatMul with W transposed (any leading dims), then Add. */
export function linearNodes(ctx: ExportContext, x: string, w: string, b: string | null, rank: number): string {
  if (rank === 2) return ctx.g.add("Gemm", b ? [x, w, b] : [x, w], [int("transB", 1)], ctx.scope);
  const wt = ctx.g.add("Transpose", [w], [ints("perm", [1, 0])], ctx.scope);
  const y = ctx.g.add("MatMul", [x, wt], [], ctx.scope);
  return b ? ctx.g.add("Add", [y, b], [], ctx.scope) : y;
}

/**
 * x (shape `from`) viewed as `to`. With a free batch dim the target keeps dim 0 as the input's
 * (Flatten, or Reshape with 0 there, which ONNX reads as "copy this dim").
 */
export function reshapeNodes(ctx: ExportContext, x: string, from: readonly number[], to: readonly number[]): string {
  if (!ctx.dynamicBatch) return ctx.g.add("Reshape", [x, ctx.g.addInt64(`${ctx.where}.shape`, to)], [], ctx.scope);
  if (to.length === 1) return ctx.g.add("Reshape", [x, ctx.g.addInt64(`${ctx.where}.shape`, [-1])], [], ctx.scope);
  if (from.length === 0 || from[0] !== to[0]) {
    throw new OnnxExportError(
      `${ctx.where}: a reshape from ${shapeStr(from)} to ${shapeStr(to)} changes dim 0, which dynamicBatch leaves free; export with { dynamicBatch: false }`,
    );
  }
  if (to.length === 2) return ctx.g.add("Flatten", [x], [int("axis", 1)], ctx.scope);
  return ctx.g.add("Reshape", [x, ctx.g.addInt64(`${ctx.where}.shape`, [0, ...to.slice(1)])], [], ctx.scope);
}

/**
 * Adaptive pooling of (N, C, H, W) to the output's size: global pooling for 1x1 (any input size),
 * else a plain pooling where the sizes divide (the windows are then equal and disjoint).
 */
export function adaptivePoolNodes(ctx: ExportContext, kind: "Average" | "Max", x: string, from: readonly number[], to: readonly number[]): string {
  const [H, W] = from.slice(-2);
  const [OH, OW] = to.slice(-2);
  if (OH === 1 && OW === 1 && from.length === 4) return ctx.g.add(`Global${kind}Pool`, [x], [], ctx.scope);
  if (from.length !== 4 || H % OH || W % OW) {
    throw new OnnxExportError(`${ctx.where}: no ONNX export for adaptive pooling from ${shapeStr(from)} to ${shapeStr(to)} (only to 1x1, or where the output size divides the input's)`);
  }
  const kernel = [H / OH, W / OW];
  return ctx.g.add(`${kind}Pool`, [x], [ints("kernel_shape", kernel), ints("strides", kernel)], ctx.scope);
}

/** The one dim where cat's output differs from its inputs (0 when they all agree: a single input). */
function catAxis(inputs: readonly Tensor[], y: Tensor): number {
  const axis = y.shape.findIndex((s, d) => inputs.some((t) => t.shape[d] !== s));
  return Math.max(axis, 0);
}
