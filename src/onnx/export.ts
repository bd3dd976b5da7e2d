// torch.onnx.export(model, exampleInput, path, options): the model's eval-mode forward on the
// example input, recorded (onnx/trace.ts) and written as an ONNX model with float32 weights.
// Everything is checked and encoded before the file is touched, which is then replaced
// atomically (a temp file renamed over it), so a failed export leaves any old file whole.

import { shapeStr } from "../core/shape.js";
import { atomicWriteFileSync } from "../io/atomic-write.js";
import { UninitializedParameter } from "../nn/lazy.js";
import type { Module } from "../nn/module.js";
import { Tensor } from "../tensor.js";
import { encodeModel, type ValueInfo } from "./encode.js";
import { GraphBuilder } from "./graph.js";
import { OnnxExportError } from "./ops.js";
import { traceModel } from "./trace.js";

/** The options of torch.onnx.export, as its keyword arguments. */
export interface OnnxExportOptions {
  /** The ONNX operator set (default 13; 13 to 17 are written the same way). */
  opsetVersion?: number;
  /** Names of the graph inputs, one per example input (default ["input"]). */
  inputNames?: readonly string[];
  /** Name of the graph output (default ["output"]). */
  outputNames?: readonly string[];
  /** Leave dim 0 of the inputs and the output free ("batch") instead of the example's size (default true). */
  dynamicBatch?: boolean;
}

/** What was written: the graph's inputs and outputs, a free batch dim shown as "batch". */
export interface OnnxExportInfo {
  /** The graph's inputs: names and dims ("batch" for a free batch dim). */
  inputs: ValueInfo[];
  /** The graph's output. */
  outputs: ValueInfo[];
}

const OPSETS = [13, 14, 15, 16, 17];
/** The IR version each opset came with (ONNX 1.8: IR 7 and opset 13; IR 8 from opset 14). */
const irVersionFor = (opset: number) => (opset === 13 ? 7 : 8);
const BATCH = "batch";

/** The ONNX model's bytes and what they hold, without writing a file. */
export function exportToBytes(model: Module, exampleInput: Tensor | readonly Tensor[], options: OnnxExportOptions = {}): OnnxExportInfo & { bytes: Uint8Array } {
  const examples = exampleInput instanceof Tensor ? [exampleInput] : [...exampleInput];
  const o = checkOptions(examples, options);
  checkModel(model, examples);
  const g = new GraphBuilder();
  o.inputNames.forEach((n) => g.reserve(n));
  g.reserve(o.outputNames[0]);
  const { output, y } = named(() => traceModel(model, examples, o.inputNames, g, o.dynamicBatch));
  g.rename(output, o.outputNames[0]);
  const dims = (shape: readonly number[]) => shape.map((s, d) => (d === 0 && o.dynamicBatch ? BATCH : s));
  const inputs = examples.map((x, i) => ({ name: o.inputNames[i], dims: dims(x.shape) }));
  const outputs = [{ name: o.outputNames[0], dims: dims(y.shape) }];
  const bytes = encodeModel({
    irVersion: irVersionFor(o.opsetVersion),
    opsetVersion: o.opsetVersion,
    graphName: model.constructor.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs,
  });
  return { bytes, inputs, outputs };
}

/**
 * Writes `model` as an ONNX file (IR 7, opset 13 by default), as torch.onnx.export does.
 * @throws OnnxExportError when the model holds a layer or op ONNX export does not cover (the message names it).
 * @example
 * const model = models.lenet5();
 * torch.onnx.export(model, torch.zeros([1, 1, 28, 28]), "lenet5.onnx").inputs // => [{ name: "input", dims: ["batch", 1, 28, 28] }]
 */
export function onnxExport(model: Module, exampleInput: Tensor | readonly Tensor[], path: string, options: OnnxExportOptions = {}): OnnxExportInfo {
  const { bytes, inputs, outputs } = exportToBytes(model, exampleInput, options);
  atomicWriteFileSync(path, bytes, "torch.onnx.export");
  return { inputs, outputs };
}

/** fn(), its export errors ("features.3: no ONNX export for ...") prefixed with the operation's name. */
function named<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OnnxExportError) e.message = `torch.onnx.export: ${e.message}`;
    throw e;
  }
}

function checkOptions(examples: Tensor[], options: OnnxExportOptions): Required<OnnxExportOptions> {
  const op = "torch.onnx.export";
  const opsetVersion = options.opsetVersion ?? 13;
  if (!OPSETS.includes(opsetVersion)) throw new RangeError(`${op}: opsetVersion must be one of ${OPSETS.join(", ")}, got ${opsetVersion}`);
  if (!examples.length) throw new RangeError(`${op}: expected at least one example input`);
  const inputNames = options.inputNames ?? (examples.length === 1 ? ["input"] : examples.map((_, i) => `input_${i}`));
  if (inputNames.length !== examples.length) throw new RangeError(`${op}: ${examples.length} example input(s) but ${inputNames.length} inputNames (${inputNames.join(", ")})`);
  const outputNames = options.outputNames ?? ["output"];
  if (outputNames.length !== 1) throw new RangeError(`${op}: the model has one output, got ${outputNames.length} outputNames (${outputNames.join(", ")})`);
  const dynamicBatch = options.dynamicBatch ?? true;
  examples.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`${op}: example input ${i} is not a Tensor`);
    if (x.dtype !== "float32") throw new TypeError(`${op}: example input ${i} is ${x.dtype}; ONNX export takes float32 inputs`);
    if (dynamicBatch && x.ndim === 0) throw new RangeError(`${op}: example input ${i} is a scalar: no batch dim to leave free (use { dynamicBatch: false })`);
  });
  return { opsetVersion, inputNames, outputNames, dynamicBatch };
}

/** Lazy layers that were never run, and weights that are not float32, are refused before any work. */
function checkModel(model: Module, examples: Tensor[]): void {
  const op = "torch.onnx.export";
  for (const [name, p] of model.namedParameters()) {
    if (p instanceof UninitializedParameter) {
      const owner = name.slice(0, name.lastIndexOf("."));
      const layer = [...model.namedModules()].find(([n]) => n === owner)?.[1].constructor.name ?? "a lazy layer";
      throw new OnnxExportError(
        `${op}: ${name} is not shaped yet (${owner || "the model"} is a ${layer} that has never run): run the model once on an input of the right shape, ` +
          `e.g. model.forward(torch.zeros(${shapeStr(examples[0].shape)})), then initialise or train it, and export that`,
      );
    }
  }
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    if (t.dtype !== "float32") throw new TypeError(`${op}: ${name} is ${t.dtype}; ONNX export writes float32 weights only`);
  }
}
