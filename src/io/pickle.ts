// A restricted unpickler (pure, no node:): Python's pickle virtual machine for the opcodes that
// torch.save's data.pkl uses (protocol 2, plus the protocol 3-4 ones that only carry data),
// in the spirit of PyTorch's weights_only loader (torch/_weights_only_unpickler.py). It never
// imports or calls anything: GLOBAL asks the caller's findGlobal, which returns a TypeScript
// stand-in or refuses; REDUCE calls only such a stand-in; BUILD only drops a dict's attributes.
// Opcodes that construct arbitrary objects (INST, OBJ, NEWOBJ, EXT*) are refused.
//
// Python values become: None null, bool boolean, int number (bigint past 2^53), float number,
// str string, bytes Uint8Array, list array, tuple frozen array, dict / OrderedDict Map.

import type { Fail } from "./zip.js";

export type PyKey = string | number | bigint | boolean | null;
/** `object` stands for what the caller's stand-ins return (tensors, storages). */
export type PyValue = PyKey | Uint8Array | readonly PyValue[] | Map<PyKey, PyValue> | PyGlobal | object;

/** What a GLOBAL may name: a class used as a tag (a storage type) or a function REDUCE may call. */
export interface PyGlobal {
  readonly qualname: string;
  readonly call?: (args: readonly PyValue[]) => PyValue;
}

export interface UnpickleOptions {
  /** The stand-in for `module.name`; throws (with the caller's message) for anything not allowed. */
  findGlobal(module: string, name: string): PyGlobal;
  /** BINPERSID: the object a persistent id names (in torch.save's files, a storage). */
  persistentLoad(pid: PyValue): PyValue;
  fail: Fail;
}

const MARK = Symbol("mark");
type Slot = PyValue | typeof MARK;

// The opcodes, by byte (pickletools' names).
const OP = {
  PROTO: 0x80, FRAME: 0x95, STOP: 0x2e, MARK: 0x28,
  NONE: 0x4e, NEWTRUE: 0x88, NEWFALSE: 0x89,
  BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, LONG4: 0x8b, BINFLOAT: 0x47,
  BINUNICODE: 0x58, SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, SHORT_BINSTRING: 0x55,
  BINBYTES: 0x42, SHORT_BINBYTES: 0x43,
  EMPTY_TUPLE: 0x29, TUPLE: 0x74, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, APPEND: 0x61, APPENDS: 0x65, EMPTY_DICT: 0x7d, SETITEM: 0x73, SETITEMS: 0x75,
  BINPUT: 0x71, LONG_BINPUT: 0x72, MEMOIZE: 0x94, BINGET: 0x68, LONG_BINGET: 0x6a,
  GLOBAL: 0x63, STACK_GLOBAL: 0x93, REDUCE: 0x52, BUILD: 0x62, BINPERSID: 0x51,
} as const;

// Named so that a refused opcode's error says what it is.
const REFUSED: Record<number, string> = {
  0x69: "INST", 0x6f: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
  0x50: "PERSID", 0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x96: "BYTEARRAY8",
  0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", 0x64: "DICT", 0x6c: "LIST", 0x49: "INT", 0x4c: "LONG",
  0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE", 0x70: "PUT", 0x67: "GET", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Runs the pickle in `bytes` and returns the object it builds. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const { fail } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let stack: Slot[] = [];
  const marks: Slot[][] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;

  const need = (n: number, what: string) => {
    if (pos + n > bytes.length) fail(`pickle ends inside ${what} at byte ${pos} (truncated or corrupt)`);
  };
  const take = (n: number, what: string) => { need(n, what); pos += n; return bytes.subarray(pos - n, pos); };
  const u8 = (what: string) => { need(1, what); return bytes[pos++]; };
  const u16 = (what: string) => { need(2, what); pos += 2; return view.getUint16(pos - 2, true); };
  const u32 = (what: string) => { need(4, what); pos += 4; return view.getUint32(pos - 4, true); };
  const u64 = (what: string) => {
    need(8, what);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`${what} of ${v} bytes exceeds the pickle's ${bytes.length} bytes`);
    return Number(v);
  };
  const line = (what: string) => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail(`pickle ends inside ${what} (no newline)`);
    const text = new TextDecoder().decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return text;
  };
  const text = (n: number, what: string) => {
    const raw = take(n, what);
    try { return utf8.decode(raw); } catch { return fail(`${what} at byte ${pos - n} is not valid UTF-8`); }
  };
  const pop = (what: string): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail(`${what} at byte ${pos - 1} finds ${v === MARK ? "a MARK" : "an empty stack"} (corrupt pickle)`);
    return v as PyValue;
  };
  const top = (what: string): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail(`${what} at byte ${pos - 1} finds ${v === MARK ? "a MARK" : "an empty stack"} (corrupt pickle)`);
    return v as PyValue;
  };
  const popMark = (what: string): PyValue[] => {
    const outer = marks.pop();
    if (outer === undefined) return fail(`${what} at byte ${pos - 1} without a MARK (corrupt pickle)`);
    const items = stack as PyValue[];
    stack = outer;
    return items;
  };
  const dictOnTop = (what: string): Map<PyKey, PyValue> => {
    const d = top(what);
    if (!(d instanceof Map)) fail(`${what} at byte ${pos - 1} on a ${typeName(d)}, not a dict`);
    return d as Map<PyKey, PyValue>;
  };
  const setItem = (d: Map<PyKey, PyValue>, k: PyValue, v: PyValue) => {
    if (!isKey(k)) fail(`dict key of type ${typeName(k)} at byte ${pos - 1}: only str, int, float, bool and None keys are supported`);
    d.set(k as PyKey, v);
  };
  const listOnTop = (what: string): PyValue[] => {
    const l = top(what);
    if (!Array.isArray(l) || Object.isFrozen(l)) fail(`${what} at byte ${pos - 1} on a ${typeName(l)}, not a list`);
    return l as PyValue[];
  };
  const global = (module: string, name: string) => stack.push(options.findGlobal(module, name));

  for (;;) {
    const at = pos;
    const op = u8("an opcode");
    switch (op) {
      case OP.PROTO: {
        const v = u8("PROTO");
        if (v < 2 || v > 5) fail(`pickle protocol ${v}: expected 2 (torch.save's default) to 5`);
        break;
      }
      case OP.FRAME: u64("FRAME"); break; // framing only groups opcodes
      case OP.STOP: {
        const result = pop("STOP");
        if (stack.length !== 0 || marks.length !== 0) fail(`STOP at byte ${at} leaves ${stack.length} values on the stack (corrupt pickle)`);
        return result;
      }
      case OP.MARK: marks.push(stack); stack = []; break;
      case OP.NONE: stack.push(null); break;
      case OP.NEWTRUE: stack.push(true); break;
      case OP.NEWFALSE: stack.push(false); break;
      case OP.BININT: need(4, "BININT"); stack.push(view.getInt32(pos, true)); pos += 4; break;
      case OP.BININT1: stack.push(u8("BININT1")); break;
      case OP.BININT2: stack.push(u16("BININT2")); break;
      case OP.LONG1: stack.push(decodeLong(take(u8("LONG1"), "LONG1"))); break;
      case OP.LONG4: stack.push(decodeLong(take(u32("LONG4"), "LONG4"))); break;
      case OP.BINFLOAT: need(8, "BINFLOAT"); stack.push(view.getFloat64(pos, false)); pos += 8; break;
      case OP.BINUNICODE: stack.push(text(u32("BINUNICODE"), "BINUNICODE")); break;
      case OP.SHORT_BINUNICODE: stack.push(text(u8("SHORT_BINUNICODE"), "SHORT_BINUNICODE")); break;
      case OP.BINUNICODE8: stack.push(text(u64("BINUNICODE8"), "BINUNICODE8")); break;
      case OP.SHORT_BINSTRING: stack.push(text(u8("SHORT_BINSTRING"), "SHORT_BINSTRING")); break; // Python 2 str
      case OP.BINBYTES: stack.push(take(u32("BINBYTES"), "BINBYTES").slice()); break;
      case OP.SHORT_BINBYTES: stack.push(take(u8("SHORT_BINBYTES"), "SHORT_BINBYTES").slice()); break;
      case OP.EMPTY_TUPLE: stack.push(Object.freeze([])); break;
      case OP.TUPLE: {
        // NOTE: popMark first: it swaps `stack` back to the outer one, which `stack.push(popMark())` would miss.
        const items = popMark("TUPLE");
        stack.push(Object.freeze(items));
        break;
      }
      case OP.TUPLE1: { const a = pop("TUPLE1"); stack.push(Object.freeze([a])); break; }
      case OP.TUPLE2: { const b = pop("TUPLE2"), a = pop("TUPLE2"); stack.push(Object.freeze([a, b])); break; }
      case OP.TUPLE3: { const c = pop("TUPLE3"), b = pop("TUPLE3"), a = pop("TUPLE3"); stack.push(Object.freeze([a, b, c])); break; }
      case OP.EMPTY_LIST: stack.push([]); break;
      case OP.APPEND: { const v = pop("APPEND"); listOnTop("APPEND").push(v); break; }
      case OP.APPENDS: { const items = popMark("APPENDS"); listOnTop("APPENDS").push(...items); break; }
      case OP.EMPTY_DICT: stack.push(new Map()); break;
      case OP.SETITEM: { const v = pop("SETITEM"), k = pop("SETITEM"); setItem(dictOnTop("SETITEM"), k, v); break; }
      case OP.SETITEMS: {
        const items = popMark("SETITEMS");
        if (items.length % 2) fail(`SETITEMS at byte ${at} with an odd number of items (corrupt pickle)`);
        const d = dictOnTop("SETITEMS");
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case OP.BINPUT: memo.set(u8("BINPUT"), top("BINPUT")); break;
      case OP.LONG_BINPUT: memo.set(u32("LONG_BINPUT"), top("LONG_BINPUT")); break;
      case OP.MEMOIZE: memo.set(memo.size, top("MEMOIZE")); break;
      case OP.BINGET: case OP.LONG_BINGET: {
        const i = op === OP.BINGET ? u8("BINGET") : u32("LONG_BINGET");
        if (!memo.has(i)) fail(`memo entry ${i} read at byte ${at} was never written (corrupt pickle)`);
        stack.push(memo.get(i)!);
        break;
      }
      case OP.GLOBAL: { const module = line("GLOBAL"); global(module, line("GLOBAL")); break; }
      case OP.STACK_GLOBAL: {
        const name = pop("STACK_GLOBAL"), module = pop("STACK_GLOBAL");
        if (typeof module !== "string" || typeof name !== "string") fail(`STACK_GLOBAL at byte ${at} needs two strings`);
        global(module as string, name as string);
        break;
      }
      case OP.REDUCE: {
        const args = pop("REDUCE");
        const f = top("REDUCE");
        if (!Array.isArray(args)) fail(`REDUCE at byte ${at}: arguments are a ${typeName(args)}, not a tuple`);
        if (!isGlobal(f) || !f.call) fail(`REDUCE at byte ${at} would call ${isGlobal(f) ? f.qualname : `a ${typeName(f)}`}, which is not callable here`);
        stack[stack.length - 1] = (f as PyGlobal).call!(args as PyValue[]);
        break;
      }
      case OP.BUILD: {
        // NOTE: a state dict is an OrderedDict with a `_metadata` attribute (module versions),
        // set by BUILD; attributes have no place in a Map and are dropped. Nothing else is built.
        const state = pop("BUILD");
        const inst = top("BUILD");
        if (!(inst instanceof Map) || !(state instanceof Map)) fail(`BUILD at byte ${at} on a ${typeName(inst)}: only a dict's attributes can be set`);
        break;
      }
      case OP.BINPERSID: stack.push(options.persistentLoad(pop("BINPERSID"))); break;
      default: {
        const name = REFUSED[op];
        fail(name
          ? `pickle opcode ${name} (0x${hex2(op)}) at byte ${at} is not supported by this restricted loader`
          : `unknown pickle opcode 0x${hex2(op)} at byte ${at} (corrupt pickle, or not a pickle)`);
      }
    }
  }
}

/** Python's pickle.decode_long: little-endian two's complement; a number when exact, else a bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function isKey(v: PyValue): boolean {
  return v === null || ["string", "number", "bigint", "boolean"].includes(typeof v);
}

export function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === "object" && v !== null && typeof (v as PyGlobal).qualname === "string" && Object.hasOwn(v, "qualname");
}

/** Python's name for a value's type, for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "string") return "str";
  if (typeof v === "number" || typeof v === "bigint") return Number.isInteger(v) || typeof v === "bigint" ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return Object.isFrozen(v) ? "tuple" : "list";
  if (v instanceof Map) return "dict";
  if (isGlobal(v)) return v.qualname;
  return (v as object).constructor?.name ?? "object";
}

const hex2 = (x: number) => x.toString(16).padStart(2, "0");
