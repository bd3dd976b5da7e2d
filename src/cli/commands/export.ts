// `torchlet export <checkpoint>`: rebuilds the model a checkpoint holds (as `eval` does) and
// writes it for other runtimes: ONNX (ONNX Runtime, TensorRT, OpenVINO, ...) or a plain
// safetensors state dict with the PyTorch class's keys (PyTorch, torchrun). Prints the input and
// output the file expects: the model's own input, after the run's resize / pad / normalize.

import { noGrad } from "../../autograd/grad-mode.js";
import { zeros } from "../../creation.js";
import { save } from "../../io/safetensors.js";
import { exportToBytes } from "../../onnx/export.js";
import { atomicWriteFileSync } from "../../io/atomic-write.js";
import type { ValueInfo } from "../../onnx/encode.js";
import { loadCheckpoint } from "../../train/checkpoint.js";
import { specFromInfo, type InputSpec } from "../../train/recipes.js";
import { modelFromCheckpoint } from "../../train/checkpoint-model.js";
import { choiceOption, parse, stringOption, UsageError } from "../args.js";

export const EXPORT_USAGE = `Usage: torchlet export <checkpoint.safetensors> [--format onnx|safetensors] [--out path] [--opset 13]

  Rebuilds the model a checkpoint written by 'torchlet train' holds (from its metadata, as
  'eval' does) and writes it for other runtimes, then prints the file's input and output.
  --format onnx         an ONNX model (IR 7, opset 13, float32 weights, batch size free): runs
                        in ONNX Runtime (Node, browsers, Python, C++), TensorRT, OpenVINO (default)
  --format safetensors  the model's state dict alone, PyTorch's key names: loads into the
                        PyTorch class with load_state_dict(strict=True)
  --out path            default: the checkpoint's name with .onnx (or .export.safetensors)
  --opset N             ONNX operator set, 13 to 17 (default 13)
  The exported model takes the images as the run fed them (resized, padded, normalized as
  its metadata says); the printed input line says how.`;

const OPSETS = ["13", "14", "15", "16", "17"] as const;

export function exportCommand(argv: string[], out: (s: string) => void = console.log): number {
  const { values, positionals } = parse(argv, { format: { type: "string" }, out: { type: "string" }, opset: { type: "string" } }, EXPORT_USAGE);
  if (values.help) {
    out(EXPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("export: expected exactly one checkpoint path", EXPORT_USAGE);
  const path = positionals[0];
  const format = choiceOption(values, "format", ["onnx", "safetensors"] as const, "onnx", EXPORT_USAGE);
  if (format !== "onnx" && values.opset !== undefined) throw new UsageError("--opset applies to --format onnx only", EXPORT_USAGE);
  const opset = Number(choiceOption(values, "opset", OPSETS, "13", EXPORT_USAGE));
  const base = path.replace(/\.safetensors$/, "");
  const target = stringOption(values, "out") ?? (format === "onnx" ? `${base}.onnx` : `${base}.export.safetensors`);
  if (target === path) throw new UsageError("--out must not be the checkpoint itself", EXPORT_USAGE);

  const { stateDict, info } = loadCheckpoint(path);
  const m = modelFromCheckpoint(stateDict, info, path);
  // The model's input is a dataset image after the run's pipeline: its shape comes from applying it.
  const example = m.prepare(zeros([1, 1, 28, 28]));
  const pipeline = describePipeline(specFromInfo(info, path));
  let inputs: ValueInfo[];
  let outputs: ValueInfo[];
  if (format === "onnx") {
    const exported = exportToBytes(m.model, example, { opsetVersion: opset });
    atomicWriteFileSync(target, exported.bytes, "export");
    ({ inputs, outputs } = exported);
    out(`${m.description}: ${path} -> ${target} (ONNX, opset ${opset}, ${exported.bytes.length.toLocaleString("en-US")} bytes)`);
  } else {
    save(m.model, target, { ...info, format: "pt" });
    const y = noGrad(() => m.model.eval().forward(example));
    inputs = [{ name: "input", dims: ["batch", ...example.shape.slice(1)] }];
    outputs = [{ name: "output", dims: ["batch", ...y.shape.slice(1)] }];
    out(`${m.description}: ${path} -> ${target} (safetensors state dict, ${Object.keys(m.model.stateDict()).length} tensors, PyTorch's key names)`);
  }
  const dims = (v: ValueInfo) => `[${v.dims.join(", ")}]`;
  for (const v of inputs) out(`  input  ${v.name.padEnd(8)} float32 ${dims(v)}  ${pipeline}`);
  for (const v of outputs) out(`  output ${v.name.padEnd(8)} float32 ${dims(v)}  ${m.kind === "logreg" ? `z: z >= 0 is ${m.classes[1]}, else ${m.classes[0]}` : "logits of the classes 0-9"}`);
  return 0;
}

/** What the model's input is, from the run's input pipeline. */
function describePipeline(spec: InputSpec): string {
  const steps = ["28x28 images in [0, 1]"];
  if (spec.pad) steps.push(`zero-padded by ${spec.pad}`);
  if (spec.resize) steps.push(`resized to ${spec.resize}x${spec.resize} (bilinear)`);
  if (spec.normalize) steps.push(`normalized (x - ${spec.normalize[0]}) / ${spec.normalize[1]}`);
  return steps.join(", ");
}
