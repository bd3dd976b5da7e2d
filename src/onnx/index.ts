// torch.onnx: export(model, exampleInput, path, options), as torch.onnx.export.

export { onnxExport as export, exportToBytes, type OnnxExportOptions, type OnnxExportInfo } from "./export.js";
export { OnnxExportError } from "./ops.js";
export type { ValueInfo } from "./encode.js";
