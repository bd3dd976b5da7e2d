// The restricted unpickler on pickles written out byte by byte (pickletools' opcode names in
// the comments), so that each opcode and each refusal is tested apart from torch.save's files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { unpickle, type PyGlobal, type PyValue } from "../../src/io/pickle.js";

const fail = (problem: string): never => { throw new Error(`test: ${problem}`); };
const calls: string[] = [];
const allowed: Record<string, PyGlobal> = {
  "m.pair": { qualname: "m.pair", call: (args) => { calls.push("pair"); return ["pair", ...args]; } },
  "m.Tag": { qualname: "m.Tag" }, // a class used as a tag: not callable
};
const options = {
  findGlobal: (module: string, name: string) => allowed[`${module}.${name}`] ?? fail(`refused ${module}.${name}`),
  persistentLoad: (pid: PyValue) => ({ loaded: pid }),
  fail,
};

const enc = (s: string) => [...new TextEncoder().encode(s)];
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const str = (s: string) => [0x58, ...u32(enc(s).length), ...enc(s)]; // BINUNICODE
const run = (...ops: number[]) => unpickle(Uint8Array.from([0x80, 2, ...ops, 0x2e]), options); // PROTO 2 ... STOP

test("scalars: None, bools, ints of every width, LONG1 past 2^53 as a bigint, floats, strings", () => {
  assert.equal(run(0x4e), null);
  assert.equal(run(0x88), true);
  assert.equal(run(0x89), false);
  assert.equal(run(0x4b, 200), 200); // BININT1
  assert.equal(run(0x4d, 0x34, 0x12), 0x1234); // BININT2
  assert.equal(run(0x4a, ...u32(-7 >>> 0)), -7); // BININT, signed
  assert.equal(run(0x8a, 2, 0x00, 0x80), -32768); // LONG1 two's complement
  assert.equal(run(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1), 2n ** 64n);
  assert.equal(run(0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), 1.5); // BINFLOAT, big-endian
  assert.equal(run(...str("héllo")), "héllo");
  assert.equal(run(0x8c, 2, ...enc("hi")), "hi"); // SHORT_BINUNICODE
  assert.deepEqual(run(0x43, 2, 7, 8), new Uint8Array([7, 8])); // SHORT_BINBYTES
});

test("containers: tuples frozen, lists, dicts in insertion order with int and str keys, memo shared", () => {
  assert.deepEqual(run(0x28, 0x4b, 1, 0x4b, 2, 0x74), [1, 2]); // MARK 1 2 TUPLE
  assert.ok(Object.isFrozen(run(0x4b, 1, 0x85))); // TUPLE1
  assert.deepEqual(run(0x5d, 0x28, 0x4b, 1, 0x4b, 2, 0x65, 0x4b, 3, 0x61), [1, 2, 3]); // EMPTY_LIST MARK 1 2 APPENDS 3 APPEND
  const d = run(0x7d, 0x28, ...str("b"), 0x4b, 1, 0x4b, 5, 0x4b, 2, 0x75) as Map<unknown, unknown>; // {"b": 1, 5: 2}
  assert.deepEqual([...d], [["b", 1], [5, 2]]);
  const shared = run(0x5d, 0x71, 0, 0x68, 0, 0x86) as unknown[][]; // [] BINPUT 0, BINGET 0, TUPLE2: (l, l)
  assert.equal(shared[0], shared[1]);
});

test("GLOBAL goes through findGlobal; REDUCE calls only an allowed stand-in; BINPERSID asks persistentLoad", () => {
  calls.length = 0;
  assert.deepEqual(run(0x63, ...enc("m\npair\n"), 0x4b, 1, 0x4b, 2, 0x86, 0x52), ["pair", 1, 2]); // m.pair(1, 2)
  assert.deepEqual(calls, ["pair"]);
  assert.deepEqual(run(0x4b, 9, 0x51), { loaded: 9 });
  assert.throws(() => run(0x63, ...enc("os\nsystem\n")), /^Error: test: refused os\.system$/);
  assert.throws(() => run(...str("os"), ...str("system"), 0x93), /^Error: test: refused os\.system$/); // STACK_GLOBAL
  assert.throws(() => run(0x63, ...enc("m\nTag\n"), 0x29, 0x52), /REDUCE at byte \d+ would call m\.Tag, which is not callable here/);
  assert.throws(() => run(...str("x"), 0x29, 0x52), /REDUCE at byte \d+ would call a str, which is not callable here/);
});

test("object-building and unknown opcodes are refused by name; malformed pickles get clear errors", () => {
  assert.throws(() => run(0x63, ...enc("m\nTag\n"), 0x29, 0x81), /pickle opcode NEWOBJ \(0x81\) at byte \d+ is not supported by this restricted loader/);
  assert.throws(() => run(0x69, ...enc("os\nsystem\n")), /pickle opcode INST \(0x69\)/);
  assert.throws(() => run(0xff), /unknown pickle opcode 0xff at byte 2/);
  assert.throws(() => run(0x52), /REDUCE at byte 2 finds an empty stack/);
  assert.throws(() => run(0x68, 3), /memo entry 3 read at byte 2 was never written/);
  assert.throws(() => run(0x4b, 1, 0x4b, 2), /STOP at byte 6 leaves 1 values on the stack/);
  assert.throws(() => run(0x74), /TUPLE at byte 2 without a MARK/);
  assert.throws(() => run(0x4b, 1, 0x4b, 2, 0x61), /APPEND at byte 6 on a int, not a list/);
  assert.throws(() => run(0x29, 0x4b, 1, 0x61), /APPEND at byte 5 on a tuple, not a list/);
  assert.throws(() => run(0x7d, 0x5d, 0x4b, 1, 0x73), /dict key of type list at byte 6/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x58, 9, 0, 0, 0, 0x61]), options), /pickle ends inside BINUNICODE at byte 7/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x4b, 1]), options), /pickle ends inside an opcode at byte 4/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 1]), options), /pickle protocol 1: expected 2/);
  assert.throws(() => run(0x5d, 0x29, 0x62), /BUILD at byte 4 on a list: only a dict's attributes can be set/);
});
