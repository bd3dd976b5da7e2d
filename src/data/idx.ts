// The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
//   bytes 0-1  zero, byte 2  element type (0x08 = unsigned byte), byte 3  number of dims,
//   then one big-endian uint32 per dim, then the elements in row-major order.
// Only unsigned-byte files are read: every dataset we load is uint8 images or labels.
// Pure (no node: imports): the page parses the bytes the explorer's server sends; reading the
// files from disk is data/idx-files.ts.

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
 * An unsigned-byte IDX file: magic 0x000008<ndims>, big-endian dims, then the bytes as given
 * (so that tests can also write truncated or overlong files; parseIdx checks the lengths).
 * @example data.parseIdx(data.encodeIdx([2, 3], [1, 2, 3, 4, 5, 6]), "bytes").dims // => [2, 3]
 */
export function encodeIdx(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
