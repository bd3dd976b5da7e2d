// The safetensors format as pure functions over bytes (no node:fs, so the browser can use them;
// src/io/safetensors.ts does the file I/O). Layout, as in github.com/huggingface/safetensors:
//   8 bytes   N, little-endian u64
//   N bytes   UTF-8 JSON object, padded with spaces to a multiple of 8:
//             { "__metadata__"?: {string: string},
//               "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
//   the rest  raw little-endian tensor bytes; offsets are relative to this section and, sorted,
//             tile it exactly (contiguous, no gaps, no overlaps, nothing after the last).

import type { Storage } from "../core/dtype.js";
import { numelOf, shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";
import { DTYPES } from "./dtypes.js";

/** Parameter and buffer tensors by their PyTorch-style names ("conv1.weight", "bn.running_mean"). */
export type StateDict = Record<string, Tensor>;
/** Anything with PyTorch's state_dict(): a Module, an optimizer. */
export interface HasStateDict { stateDict(): StateDict }
/** A parsed safetensors file: its tensors and its string metadata. */
export interface Checkpoint {
  /** The tensors by name, in the file's data order. */
  tensors: StateDict;
  /** The header's "__metadata__" strings ({} when it has none). */
  metadata: Record<string, string>;
}

/** The reference implementation refuses larger headers (it guards against header bombs). */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Fail = (problem: string) => never;

export function stateDictOf(x: HasStateDict | StateDict): StateDict {
  return typeof (x as HasStateDict).stateDict === "function" ? (x as HasStateDict).stateDict() : (x as StateDict);
}

/** The bytes of a .safetensors file holding `stateDict` in its insertion order. */
export function serializeSafetensors(stateDict: StateDict, metadata?: Record<string, string>): Uint8Array {
  const fail: Fail = (problem) => { throw new Error(`save: ${problem}`); };
  const fields: string[] = [];
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") fail(`metadata "${k}" must be a string, got ${typeof v}`);
    }
    fields.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  const tensors = Object.entries(stateDict);
  let offset = 0;
  for (const [name, t] of tensors) {
    const nbytes = checkTensor(name, t, fail);
    const info = { dtype: t.data instanceof Float64Array ? "F64" : "F32", shape: t.shape, data_offsets: [offset, offset + nbytes] };
    fields.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    offset += nbytes;
  }
  // NOTE: built by hand rather than JSON.stringify(object) because JS objects move
  // integer-like keys ("0", "1") first; this keeps the header in data order.
  const json = new TextEncoder().encode(`{${fields.join(",")}}`);
  const n = json.length + ((8 - (json.length % 8)) % 8);
  if (n > MAX_HEADER_BYTES) fail(`header of ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);

  const out = new Uint8Array(8 + n + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n); // space padding
  let pos = 8 + n;
  for (const [, t] of tensors) pos = writeLE(view, pos, t.data, numelOf(t.shape));
  return out;
}

/** Checks one tensor is writable and returns its size in bytes. */
function checkTensor(name: string, t: Tensor, fail: Fail): number {
  if (name === METADATA_KEY) fail(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
  if (!(t?.data instanceof Float32Array || t?.data instanceof Float64Array) || !Array.isArray(t.shape)) {
    fail(`"${name}" is not a Tensor`);
  }
  if (!isIndexList(t.shape)) fail(`tensor "${name}": invalid shape ${JSON.stringify(t.shape)}`);
  const n = numelOf(t.shape);
  if (t.data.length !== n) fail(`tensor "${name}": data has ${t.data.length} elements but shape ${shapeStr(t.shape)} needs ${n}`);
  return n * t.data.BYTES_PER_ELEMENT;
}

function writeLE(view: DataView, pos: number, data: Storage, n: number): number {
  const size = data.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) {
    new Uint8Array(view.buffer).set(new Uint8Array(data.buffer, data.byteOffset, n * size), pos);
  } else {
    for (let i = 0; i < n; i++) {
      if (size === 8) view.setFloat64(pos + 8 * i, data[i], true);
      else view.setFloat32(pos + 4 * i, data[i], true);
    }
  }
  return pos + n * size;
}

interface Entry { name: string; dtype: string; shape: number[]; begin: number; end: number }

/**
 * Reads a .safetensors file's bytes. Tensors come back in data order; F64 stays float64, every
 * other dtype becomes float32. `source` (a path or URL) names the file in error messages.
 */
export function parseSafetensors(bytes: Uint8Array, source: string): Checkpoint {
  const fail: Fail = (problem) => { throw new Error(`load: ${source}: ${problem}`); };
  if (bytes.length < 8) fail(`not a safetensors file: ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(`header length ${n64} exceeds the file size (${bytes.length} bytes): not a safetensors file, or truncated`);
  }
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);

  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail("header is not valid UTF-8: not a safetensors file");
  }
  // Starting with "{" and parsing means the header is a JSON object.
  if (!text.startsWith("{")) fail(`not a safetensors file: the header does not start with "{"`);
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  const dup = firstDuplicate(topLevelKeys(text));
  if (dup !== undefined) fail(`duplicate key ${JSON.stringify(dup)} in the header`);

  const { [METADATA_KEY]: meta, ...infos } = header;
  const metadata = checkMetadata(meta, fail);
  const entries = Object.entries(infos).map(([name, info]) => checkEntry(name, info, fail));
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    const where = `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}]`;
    if (e.begin < pos) fail(`${where} overlap the previous tensor, which ends at ${pos}`);
    if (e.begin > pos) fail(`${where} leave a gap after the previous tensor, which ends at ${pos}`);
    pos = e.end;
  }
  const dataLen = bytes.length - 8 - n;
  if (pos > dataLen) fail(`truncated: header declares ${pos} bytes of tensor data, file has ${dataLen}`);
  if (pos < dataLen) fail(`header declares ${pos} bytes of tensor data, file has ${dataLen} (${dataLen - pos} bytes unaccounted for)`);

  // Object.fromEntries defines own properties, so even a tensor named "__proto__" is safe.
  const tensors = Object.fromEntries(entries.map((e) => [e.name, new Tensor(decode(view, 8 + n + e.begin, e), e.shape)]));
  return { tensors, metadata };
}

function checkMetadata(meta: unknown, fail: Fail): Record<string, string> {
  if (meta === undefined || meta === null) return {};
  if (typeof meta !== "object" || Array.isArray(meta) || !Object.values(meta).every((v) => typeof v === "string")) {
    fail(`"${METADATA_KEY}" must map strings to strings, got ${JSON.stringify(meta)}`);
  }
  return { ...(meta as Record<string, string>) };
}

function checkEntry(name: string, info: unknown, fail: Fail): Entry {
  const where = `tensor "${name}"`;
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    fail(`${where}: expected {"dtype", "shape", "data_offsets"}, got ${JSON.stringify(info)}`);
  }
  const { dtype, shape, data_offsets: off } = info as Record<string, unknown>;
  if (typeof dtype !== "string" || !Object.hasOwn(DTYPES, dtype)) {
    fail(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(", ")})`);
  }
  if (!isIndexList(shape)) fail(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!isIndexList(off) || off.length !== 2) {
    fail(`${where}: data_offsets must be [begin, end], non-negative integers, got ${JSON.stringify(off)}`);
  }
  const [begin, end] = off;
  if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const need = numelOf(shape) * DTYPES[dtype].bytes;
  if (!Number.isSafeInteger(need)) fail(`${where}: shape ${shapeStr(shape)} is too large`);
  if (end - begin !== need) {
    fail(`${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${shapeStr(shape)} of ${dtype} needs ${need}`);
  }
  return { name, dtype, shape, begin, end };
}

function isIndexList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => Number.isSafeInteger(v) && v >= 0);
}

/** One tensor's bytes at absolute offset `at` -> storage (F64 -> float64, else float32). */
function decode(view: DataView, at: number, e: Entry): Storage {
  if (LITTLE_ENDIAN && (e.dtype === "F32" || e.dtype === "F64")) {
    // slice() copies into a fresh, aligned buffer: the file's bytes may sit at any offset.
    const copy = new Uint8Array(view.buffer, view.byteOffset + at, e.end - e.begin).slice();
    return e.dtype === "F32" ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  }
  const { bytes, read } = DTYPES[e.dtype];
  const n = numelOf(e.shape);
  const out = e.dtype === "F64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = read(view, at + i * bytes);
  return out;
}

/**
 * The keys of a valid JSON object's top level, duplicates included (JSON.parse silently keeps
 * the last of a duplicated key; the format forbids duplicates).
 */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      expectKey = c === "{" && depth === 1;
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function firstDuplicate(keys: string[]): string | undefined {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return undefined;
}
