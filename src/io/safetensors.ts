// Checkpoints on disk in the safetensors format: save(model, path) and loadWithMetadata(path),
// like torch.save / torch.load of a state_dict (load.ts reads .pt files too). The format lives
// in safetensors-codec.ts; this file is the thin node:fs layer over it.

import { atomicWriteFileSync } from "./atomic-write.js";
import { readCheckpointFile } from "./read-file.js";
import { parseSafetensors, serializeSafetensors, stateDictOf, type Checkpoint, type HasStateDict, type StateDict } from "./safetensors-codec.js";

export { parseSafetensors, serializeSafetensors, MAX_HEADER_BYTES, type Checkpoint, type HasStateDict, type StateDict } from "./safetensors-codec.js";

/**
 * Writes a module's (or a plain) state dict to `path`, atomically: a failure never leaves a
 * half-written file and never clobbers the previous checkpoint.
 * @throws Error when the file cannot be written (the previous file stays).
 * @example
 * const model = models.lenet5();
 * io.save(model, "lenet5.safetensors", { epoch: "3" });
 * io.loadWithMetadata("lenet5.safetensors").metadata // => { epoch: "3" }
 */
export function save(moduleOrStateDict: HasStateDict | StateDict, path: string, metadata?: Record<string, string>): void {
  const bytes = serializeSafetensors(stateDictOf(moduleOrStateDict), metadata); // throws before touching the disk
  atomicWriteFileSync(path, bytes, "save");
}

/** Reads a .safetensors file: the tensors in data order, and the "__metadata__" strings. */
export function loadWithMetadata(path: string): Checkpoint {
  return parseSafetensors(readCheckpointFile(path, "load"), path);
}
