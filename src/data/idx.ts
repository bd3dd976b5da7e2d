// The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
//   bytes 0-1  zero, byte 2  element type (0x08 = unsigned byte), byte 3  number of dims,
//   then one big-endian uint32 per dim, then the elements in row-major order.
// Only unsigned-byte files are read: every dataset we load is uint8 images or labels.

import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** An IDX file's contents: its dims and its unsigned bytes. */
export interface IdxArray {
  /** Sizes, outermost first: [60000, 28, 28] for the MNIST training images. */
  dims: number[];
  /** The elements, row-major; a view into the file's bytes (no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * True when the bytes start with the gzip magic 1f 8b.
 * @example data.isGzip(new Uint8Array([0x1f, 0x8b, 8])) // => true
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an unsigned-byte IDX file already in memory; `source` names it in errors.
 * @throws Error when the bytes are not an unsigned-byte IDX file or are truncated.
 * @example data.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 5, 6]), "two bytes").dims // => [2]
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (msg: string): never => { throw new Error(`readIdx: ${source}: ${msg}`); };
  if (bytes.length < 4) fail(`too short for an IDX header: ${bytes.length} bytes (expected at least 4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || ndims === 0) {
    fail(`wrong magic number ${hex32(magic)} (expected 0x00000801 or 0x00000803 for unsigned-byte IDX)`);
  }
  const header = 4 + 4 * ndims;
  if (bytes.length < header) fail(`truncated header: ${ndims} dims need ${header} bytes, file has ${bytes.length}`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = bytes.length - header;
  if (found < expected) fail(`truncated: header says ${dims.join("x")} = ${expected} bytes of data, file has ${found}`);
  if (found > expected) fail(`${found - expected} trailing bytes: header says ${dims.join("x")} = ${expected} bytes of data, file has ${found}`);
  return { dims, data: bytes.subarray(header) };
}

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

function hex32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
