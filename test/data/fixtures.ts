// Small IDX files written to a temp dir, for the error and root-folder tests.

import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../../src/data/idx.js";

/** An unsigned-byte IDX file (src/data/idx.ts encodeIdx). */
export const idxBytes = encodeIdx;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "torchlet-data-"));
}

/** Writes a tiny split (n images of h x w, pixel = image index, label = i % 10) under dir. */
export function writeSplit(dir: string, prefix: "train" | "t10k", n: number, h: number, w: number, gz: boolean): void {
  mkdirSync(dir, { recursive: true });
  const pixels = Array.from({ length: n * h * w }, (_, k) => Math.floor(k / (h * w)));
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, gz ? name + ".gz" : name), gz ? gzipSync(bytes) : bytes);
  write(`${prefix}-images-idx3-ubyte`, idxBytes([n, h, w], pixels));
  write(`${prefix}-labels-idx1-ubyte`, idxBytes([n], labels));
}
