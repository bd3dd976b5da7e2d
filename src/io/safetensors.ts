// Checkpoints on disk in the safetensors format: save(model, path) and load(path), like
// torch.save / torch.load of a state_dict. The format lives in safetensors-codec.ts; this file
// is the thin node:fs layer over it.

import { readFileSync } from "node:fs";
import { atomicWriteFileSync } from "./atomic-write.js";
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
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`load: checkpoint not found: ${path}`, { cause: err });
    throw new Error(`load: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseSafetensors(bytes, path);
}

/**
 * Reads a .safetensors file into a state dict (F64 stays float64; every other dtype, F16, BF16
 * and integers included, becomes float32).
 * @throws Error when the file is missing or is not a valid safetensors file.
 * @example
 * io.save(models.lenet5(), "lenet5.safetensors");
 * const model = models.lenet5();
 * model.loadStateDict(io.load("lenet5.safetensors")) // => { missingKeys: [], unexpectedKeys: [] }
 * io.load("missing.safetensors") // throws Error: checkpoint not found
 */
export function load(path: string): StateDict {
  return loadWithMetadata(path).tensors;
}
