// torchlet: import * as torch from "torchlet".

// Everything that runs in a browser too (see browser.ts), then the Node-only parts: files.
export * from "./browser.js";
export * as data from "./data/index.js";
export { DataLoader } from "./data/dataloader.js";
export * as io from "./io/index.js";
export { save, load, loadWithMetadata } from "./io/index.js";
export * as onnx from "./onnx/index.js";
