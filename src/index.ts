// torchlet: import * as torch from "torchlet".

// Everything that runs in a browser too (see browser.ts), then the Node-only parts: files.
export * from "./browser.js";
/** torch.utils.data and torchvision's datasets and transforms: TensorDataset, MNIST, FashionMNIST, DataLoader (Node only). */
export * as data from "./data/index.js";
export { DataLoader } from "./data/dataloader.js";
/** Checkpoints as safetensors files, readable by PyTorch: save, load (Node only; parseSafetensors works anywhere). */
export * as io from "./io/index.js";
export { save, load, loadWithMetadata } from "./io/index.js";
// Training checkpoints with the optimizer and run state beside the model, for exact resumes.
export { saveCheckpoint, loadCheckpoint, loadTrainingState, type RunInfo, type RunState, type TrainingState } from "./train/checkpoint.js";
/** torch.onnx: export(model, exampleInput, path) writes an ONNX file for ONNX Runtime and other engines (exportToBytes gives the bytes without a file). */
export * as onnx from "./onnx/index.js";
