// The IDX files on disk (Node): one file read, gunzipped when needed, and the images and labels
// files of a split found in a dataset's root folder. Parsing is data/idx.ts's (pure).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { isGzip, parseIdx, type IdxArray } from "./idx.js";

/**
 * Reads an IDX file, plain or gzip-compressed (by `.gz` suffix or by its magic bytes).
 * @throws Error when the file cannot be read or parsed.
 * @example data.readIdx("/nowhere/t10k-labels-idx1-ubyte") // throws Error
 */
export function readIdx(path: string): IdxArray {
  if (!existsSync(path)) throw new Error(`readIdx: file not found: ${path}`);
  let bytes: Uint8Array = readFileSync(path);
  if (path.endsWith(".gz") || isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`readIdx: ${path}: cannot gunzip: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Finds `name` or `name.gz` in `root`, then in torchvision's layout `root/<folder>/raw`.
 * Throws listing every place searched, followed by `hint` (how to get the files).
 * @throws Error listing every place searched, then `hint`.
 * @example data.findIdxFile("/nowhere", "MNIST", "t10k-images-idx3-ubyte", "get the files") // throws Error: get the files
 */
export function findIdxFile(root: string, folder: string, name: string, hint: string): string {
  const dirs = [root, join(root, folder, "raw")];
  const candidates = dirs.flatMap((d) => [join(d, name), join(d, name + ".gz")]);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  throw new Error(`${folder}: ${name} not found; searched:\n  ${candidates.join("\n  ")}\n${hint}`);
}

/** Reads the images and labels IDX files of one split from a root folder. */
export function readIdxPair(root: string, folder: string, imagesName: string, labelsName: string, hint: string): [IdxArray, IdxArray] {
  return [
    readIdx(findIdxFile(root, folder, imagesName, hint)),
    readIdx(findIdxFile(root, folder, labelsName, hint)),
  ];
}
