// The table of the kernel module's exports (src/kernels/wasm/runtime/signatures.ts) against both
// compiled builds: every exported function is in the table and every entry of the table is
// exported, with as many parameters as the table lists. The AssemblyScript export list
// (src/kernels/wasm/assembly/index.ts) cannot be derived from the table: this keeps the two equal.

import { test } from "node:test";
import assert from "node:assert/strict";
import { instantiateWasmModule, readModuleBytes } from "../../../../src/kernels/wasm/runtime/load.js";
import { KERNEL_NAMES, KERNELS, QUERIES, SETUP } from "../../../../src/kernels/wasm/runtime/signatures.js";

/** The part of the WebAssembly JS API used here (lib "ES2022" has none). */
const wa = (globalThis as unknown as {
  WebAssembly: { Module: { new (bytes: Uint8Array): object; exports(module: object): { name: string; kind: string }[] } };
}).WebAssembly;

/** The table's functions and their parameter counts. */
const table = new Map(Object.entries<readonly string[]>({ ...KERNELS, ...QUERIES, ...SETUP }).map(([name, params]) => [name, params.length]));

for (const [file, shared] of [["kernels.wasm", false], ["kernels-threads.wasm", true]] as const) {
  test(`${file} exports the table's functions and no others, each with the table's parameter count`, () => {
    const module = new wa.Module(readModuleBytes(file));
    const exports = wa.Module.exports(module);
    const functions = exports.filter((e) => e.kind === "function").map((e) => e.name);
    assert.deepEqual(functions.sort(), [...table.keys()].sort());
    // the threads build imports its (shared) memory and exports it again
    assert.deepEqual(exports.filter((e) => e.kind !== "function").map((e) => `${e.kind} ${e.name}`), ["memory memory"]);
    const loaded = instantiateWasmModule(module, { shared });
    if (loaded instanceof Error) throw loaded;
    const instance = loaded.exports as unknown as Record<string, (...args: number[]) => unknown>;
    for (const [name, count] of table) assert.equal(instance[name].length, count, `${name}: parameters`);
  });
}

test("KERNEL_NAMES: the kernels once each, and no export of the other tables", () => {
  assert.deepEqual([...KERNEL_NAMES].sort(), Object.keys(KERNELS).sort());
  assert.equal(Object.keys({ ...KERNELS, ...QUERIES, ...SETUP }).length, Object.keys(KERNELS).length + Object.keys(QUERIES).length + Object.keys(SETUP).length);
});
