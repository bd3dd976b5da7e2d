// Reading a checkpoint file whole, with the error messages every loader gives.

import { readFileSync } from "node:fs";

export function readCheckpointFile(path: string, op: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${op}: checkpoint not found: ${path}`, { cause: err });
    throw new Error(`${op}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
