// Checkpoint I/O: safetensors files (readable by PyTorch's safetensors.torch.load_file), and
// PyTorch's own .pt / .pth files read without Python (load, loadPt).

export { save, loadWithMetadata, parseSafetensors, serializeSafetensors, MAX_HEADER_BYTES, type Checkpoint, type HasStateDict, type StateDict } from "./safetensors.js";
export { load, loadPt } from "./load.js";
export { parsePt, ptStateDict, type PtValue } from "./pt.js";
export { parseStateDict, checkpointFormat, type CheckpointFormat } from "./formats.js";
