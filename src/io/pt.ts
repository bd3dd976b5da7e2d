// PyTorch's own files (pure, no node:): what torch.save(obj, "model.pt") writes since PyTorch
// 1.6, read as torch.load(path, weights_only=True) reads it. torch/serialization.py _save:
//   <archive>/data.pkl     the object, pickled (protocol 2); each storage a persistent id
//                          ("storage", torch.FloatStorage, key, location, numel)
//   <archive>/data/<key>   each storage's raw bytes, numel elements, uncompressed
//   <archive>/byteorder    "little" or "big" (PyTorch >= 2.1; older files hold the writer's
//                          native order, little on every machine PyTorch ships for)
//   <archive>/version ...  ignored
// A tensor is torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
// hooks): a strided view of a storage. torchlet tensors own contiguous data, so every view is
// copied out (tensors that shared a storage in PyTorch no longer share it here); float64 stays
// float64 and every other dtype becomes float32, as in the safetensors reader.

import { numelOf, shapeStr, stridesOf } from "../core/shape.js";
import { Tensor } from "../tensor.js";
import { DTYPES } from "./dtypes.js";
import { isGlobal, typeName, unpickle, type PyGlobal, type PyValue } from "./pickle.js";
import type { StateDict } from "./safetensors-codec.js";
import { readZipDirectory, readZipEntry, type Fail } from "./zip.js";

/** What a .pt file's object becomes: Python's dicts as objects, lists and tuples as arrays. */
export type PtValue = null | boolean | number | bigint | string | Uint8Array | Tensor | PtValue[] | { [key: string]: PtValue };

/** The storage classes torch.save names, by the safetensors dtype their elements read as. */
const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: "F32", DoubleStorage: "F64", HalfStorage: "F16", BFloat16Storage: "BF16",
  LongStorage: "I64", IntStorage: "I32", ShortStorage: "I16", CharStorage: "I8", ByteStorage: "U8", BoolStorage: "BOOL",
};

interface StorageType extends PyGlobal { readonly dtype: string }

class PtStorage {
  constructor(readonly key: string, readonly type: StorageType, readonly numel: number, readonly view: DataView) {}
}

const REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
const REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
const ORDERED_DICT = "collections.OrderedDict";
const ALLOWED = `${ORDERED_DICT}, ${REBUILD_TENSOR}, ${REBUILD_PARAMETER} and torch.{${Object.keys(STORAGE_DTYPES).join(",")}}`;

/**
 * Reads the bytes of a file written by torch.save (a .pt / .pth zip archive) and returns the
 * saved object. `source` (a path or URL) names the file in error messages.
 * For instance `parsePt(readFileSync("model.pt"), "model.pt")` gives `{ "conv1.weight": Tensor, ... }`.
 * @throws Error naming `source` when the bytes are not a torch.save archive or hold code to run.
 * @example io.parsePt(new Uint8Array([1, 2, 3, 4]), "junk.pt") // throws Error: junk.pt
 */
export function parsePt(bytes: Uint8Array, source: string): PtValue {
  const fail: Fail = (problem) => { throw new Error(`load: ${source}: ${problem}`); };
  const { record, byteorder } = openArchive(bytes, fail);
  const options = { findGlobal: weightsOnlyGlobals(fail), persistentLoad: storageLoader(record, byteorder, fail), fail };
  return toPtValue(unpickle(record("data.pkl")!, options), fail, new Set(), new Map());
}

type RecordReader = (name: string) => Uint8Array | undefined;

/** The archive's records by name (relative to its one top folder) and its byte order. */
function openArchive(bytes: Uint8Array, fail: Fail): { record: RecordReader; byteorder: "little" | "big" } {
  const entries = readZipDirectory(bytes, fail);
  const names = [...entries.keys()];
  // torch.jit.save's archives hold a data.pkl too, of TorchScript classes, next to code/ and constants.pkl.
  if (names.some((n) => /^[^/]+\/(constants\.pkl$|code\/)/.test(n))) {
    fail("a TorchScript archive (torch.jit.save), not a torch.save file: in PyTorch, torch.save(model.state_dict(), path) and load that");
  }
  const pkl = names.find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pkl === undefined) {
    return fail(`a zip archive without <archive>/data.pkl (entries: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}): not a file written by torch.save`);
  }
  const folder = pkl.slice(0, -"data.pkl".length);
  const record = (name: string) => {
    const e = entries.get(folder + name);
    return e && readZipEntry(bytes, e, fail);
  };
  const order = record("byteorder");
  const byteorder = order === undefined ? "little" : new TextDecoder().decode(order);
  if (byteorder !== "little" && byteorder !== "big") fail(`byteorder record says ${JSON.stringify(byteorder)}, expected "little" or "big"`);
  return { record, byteorder: byteorder as "little" | "big" };
}

/**
 * BINPERSID's handler: ("storage", torch.FloatStorage, key, location, numel) -> the storage in
 * record data/<key>, read once however many tensors view it. The location (cpu, cuda:0) is
 * ignored: everything loads to the CPU, as with map_location="cpu".
 */
function storageLoader(record: RecordReader, byteorder: "little" | "big", fail: Fail): (pid: PyValue) => PtStorage {
  const storages = new Map<string, PtStorage>();
  return (pid) => {
    const [tag, type, key, , numel] = Array.isArray(pid) ? (pid as PyValue[]) : [];
    if (!Array.isArray(pid) || pid.length !== 5 || tag !== "storage") fail(`persistent id ${describe(pid)} is not ("storage", type, key, location, numel)`);
    if (!isStorageType(type)) return fail(`persistent id names storage type ${typeName(type)}, not a torch.*Storage`);
    if (typeof key !== "string" || !isIndex(numel)) return fail(`persistent id ${describe(pid)}: key must be a str and numel a non-negative int`);
    const seen = storages.get(key);
    if (seen) return seen.type === type ? seen : fail(`storage ${key} is read as both ${seen.type.qualname} and ${type.qualname}`);
    const raw = record(`data/${key}`);
    if (raw === undefined) return fail(`storage ${key} has no record data/${key} in the archive`);
    const size = DTYPES[type.dtype].bytes;
    const n = numel as number;
    if (raw.length !== n * size) fail(`record data/${key} holds ${raw.length} bytes, but ${n} elements of ${type.qualname} need ${n * size}`);
    const le = byteorder === "big" ? swapBytes(raw, size) : raw;
    const storage = new PtStorage(key, type, n, new DataView(le.buffer, le.byteOffset, le.byteLength));
    storages.set(key, storage);
    return storage;
  };
}

/** GLOBAL's handler: the TypeScript stand-ins for what a state dict names; a clear refusal for anything else. */
function weightsOnlyGlobals(fail: Fail): (module: string, name: string) => PyGlobal {
  const standIns = new Map<string, PyGlobal>([
    [REBUILD_TENSOR, {
      qualname: REBUILD_TENSOR,
      call: (args) => {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        const [storage, offset, size, stride] = args;
        if (args.length < 6 || !(storage instanceof PtStorage) || !isIndex(offset) || !isIndexList(size) || !isIndexList(stride) || size.length !== stride.length) {
          return fail(`${REBUILD_TENSOR} called with ${describe(args)}, expected (storage, offset, size, stride, requires_grad, hooks)`);
        }
        return materialise(storage, offset as number, size, stride, fail);
      },
    }],
    [REBUILD_PARAMETER, {
      qualname: REBUILD_PARAMETER,
      call: (args) => (args[0] instanceof Tensor ? args[0] : fail(`${REBUILD_PARAMETER} called with ${describe(args)}, expected (tensor, requires_grad, hooks)`)),
    }],
    [ORDERED_DICT, {
      qualname: ORDERED_DICT,
      call: (args) => (args.length === 0 ? new Map() : fail(`${ORDERED_DICT} called with arguments ${describe(args)}; torch.save's pickles call it with none`)),
    }],
  ]);
  return (module, name) => {
    const qualname = `${module}.${name}`;
    const standIn = standIns.get(qualname);
    if (standIn) return standIn;
    if (module === "torch" && Object.hasOwn(STORAGE_DTYPES, name)) return storageType(name);
    if (module === "torch" && name.endsWith("Storage")) {
      fail(`tensors of storage type ${qualname} are not supported (supported: ${Object.keys(STORAGE_DTYPES).join(", ")})`);
    }
    return fail(`refused the global ${qualname}: a weights-only load allows only ${ALLOWED}; nothing was imported or run (the file may be malicious, or it holds more than tensors and dicts)`);
  };
}

/**
 * The state dict in a parsePt result: a dict of tensors (torch.save(model.state_dict(), path)).
 * Anything else gets an error that says what the file holds instead.
 */
export function ptStateDict(value: PtValue, source: string): StateDict {
  const fail: Fail = (problem) => { throw new Error(`load: ${source}: ${problem}`); };
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Tensor || value instanceof Uint8Array) {
    fail(`holds ${value instanceof Tensor ? "a single tensor" : `a ${kindOf(value)}`}, not a state dict (torch.save(model.state_dict(), path) writes one)`);
  }
  const others = Object.entries(value as Record<string, PtValue>).filter(([, v]) => !(v instanceof Tensor));
  if (others.length > 0) {
    const list = others.slice(0, 4).map(([k, v]) => `"${k}": ${kindOf(v)}`).join(", ");
    fail(`holds a dict with entries that are not tensors (${list}${others.length > 4 ? ", ..." : ""}), not a state dict: read the whole object with io.loadPt(path)`);
  }
  return value as StateDict;
}

const storageTypes = new Map<string, StorageType>();
function storageType(name: string): StorageType {
  let t = storageTypes.get(name);
  if (!t) storageTypes.set(name, (t = Object.freeze({ qualname: `torch.${name}`, dtype: STORAGE_DTYPES[name] })));
  return t;
}

function isStorageType(v: unknown): v is StorageType {
  return isGlobal(v) && storageTypes.get(v.qualname.slice("torch.".length)) === v;
}

/** Copies the strided view (offset, size, stride), all in elements, out of the storage. */
function materialise(st: PtStorage, offset: number, size: number[], stride: number[], fail: Fail): Tensor {
  const n = numelOf(size);
  let out: Float32Array | Float64Array;
  try {
    out = st.type.dtype === "F64" ? new Float64Array(n) : new Float32Array(n);
  } catch {
    // NOTE: a stride-0 view of a small storage can claim any size: refuse it here, clearly.
    return fail(`tensor of shape ${shapeStr(size)} (${n} elements) is too large to allocate`);
  }
  if (n > 0) {
    const last = size.reduce((at, s, d) => at + (s - 1) * stride[d], offset);
    if (last >= st.numel) {
      fail(`tensor of shape ${shapeStr(size)}, stride ${shapeStr(stride)}, offset ${offset} reaches element ${last} of storage ${st.key}, which has ${st.numel}`);
    }
  }
  const { bytes, read } = DTYPES[st.type.dtype];
  const dense = stridesOf(size).every((s, d) => size[d] === 1 || s === stride[d]);
  if (dense && (st.type.dtype === "F32" || st.type.dtype === "F64")) {
    // Same element type, contiguous: one copy (the record's bytes may sit at any alignment).
    new Uint8Array(out.buffer).set(new Uint8Array(st.view.buffer, st.view.byteOffset + offset * bytes, n * bytes));
    if (!LITTLE_ENDIAN) for (let i = 0; i < n; i++) out[i] = read(st.view, (offset + i) * bytes);
    return new Tensor(out, size);
  }
  // An odometer over the indices: `at` follows the element offset of index (i0, i1, ...).
  const nd = size.length;
  const idx = new Array<number>(nd).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    out[i] = read(st.view, at * bytes);
    for (let d = nd - 1; d >= 0; d--) {
      at += stride[d];
      if (++idx[d] < size[d]) break;
      at -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, size);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy with each `size`-byte element's bytes reversed (big-endian record -> little-endian). */
function swapBytes(raw: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += size) for (let b = 0; b < size; b++) out[i + b] = raw[i + size - 1 - b];
  return out;
}

/**
 * Python dicts -> objects (keys as strings), tuples and lists -> arrays; refuses what is left.
 * An object the pickle references twice converts once (`done`), so shared references cannot
 * blow up into copies; one that contains itself is refused (`path`).
 */
function toPtValue(v: PyValue, fail: Fail, path: Set<object>, done: Map<object, PtValue>): PtValue {
  if (v === null || typeof v !== "object" || v instanceof Uint8Array || v instanceof Tensor) return v as PtValue;
  if (done.has(v)) return done.get(v)!;
  if (path.has(v)) fail("the pickled object contains itself (a reference cycle)");
  path.add(v);
  let out: PtValue;
  if (Array.isArray(v)) {
    out = v.map((x: PyValue) => toPtValue(x, fail, path, done));
  } else if (v instanceof Map) {
    // Object.fromEntries defines own properties, so even a key "__proto__" is safe.
    out = Object.fromEntries([...v].map(([k, x]) => [String(k), toPtValue(x, fail, path, done)]));
  } else {
    return fail(`holds a bare ${v instanceof PtStorage ? "storage" : typeName(v)}, which torchlet cannot represent (save tensors, dicts and lists)`);
  }
  path.delete(v);
  done.set(v, out);
  return out;
}

function kindOf(v: PtValue): string {
  if (v instanceof Tensor) return `tensor ${shapeStr(v.shape)}`;
  if (Array.isArray(v)) return "list";
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) return "dict";
  return typeName(v);
}

const isIndex = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isIndex);

function describe(v: PyValue): string {
  if (Array.isArray(v)) return `(${v.map(describe).join(", ")})`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return typeName(v);
}
