// The geometry records the JavaScript side writes for the WebAssembly kernels
// (src/kernels/wasm/runtime/geometry.ts): 16 i32 in the field order of assembly/common/geometry.ts, with the
// overrides each writer promises, and still right after the memory grows (the arena rebuilds
// its views then).

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Conv2dDims } from "../../../../src/kernels/index.js";
import { Arena } from "../../../../src/kernels/wasm/runtime/arena.js";
import { putGeometry, putPlanesGeometry, putWindowGeometry } from "../../../../src/kernels/wasm/runtime/geometry.js";
import type { WasmExports } from "../../../../src/kernels/wasm/runtime/signatures.js";

const FIELDS = ["C", "H", "W", "KH", "KW", "SH", "SW", "PH", "PW", "DH", "DW", "OH", "OW", "N", "OC", "groups"] as const;

/** Every field a different value, so that a swapped pair shows. */
const d: Conv2dDims = { C: 6, H: 14, W: 13, KH: 5, KW: 3, SH: 2, SW: 1, PH: 2, PW: 1, DH: 3, DW: 2, OH: 4, OW: 12, N: 100, OC: 16, groups: 2 };

function newArena() {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024 });
  return new Arena({ memory, dataBase: () => 1024 } as unknown as WasmExports);
}

function record(arena: Arena, at: number): Record<string, number> {
  const r = new Int32Array(arena.f32.buffer, at, 16);
  return Object.fromEntries(FIELDS.map((f, i) => [f, r[i]]));
}

test("putGeometry writes every field in the assembly's order, N overridable", () => {
  const arena = newArena();
  assert.deepEqual(record(arena, putGeometry(arena, d)), { ...d });
  assert.deepEqual(record(arena, putGeometry(arena, d, 7)), { ...d, N: 7 });
});

test("putWindowGeometry: one image, one output channel, one group", () => {
  const arena = newArena();
  assert.deepEqual(record(arena, putWindowGeometry(arena, d)), { ...d, N: 1, OC: 1, groups: 1 });
});

test("putPlanesGeometry: pooling planes as one-channel images, no dilation", () => {
  const arena = newArena();
  const w = { H: 28, W: 27, KH: 2, KW: 3, SH: 2, SW: 3, PH: 1, PW: 0, OH: 15, OW: 9 };
  assert.deepEqual(record(arena, putPlanesGeometry(arena, { ...w, NC: 600 } as typeof w, 37)), { ...w, C: 1, DH: 1, DW: 1, N: 37, OC: 1, groups: 1 });
});

test("records stay right after the memory grows", () => {
  const arena = newArena();
  const before = arena.f32.buffer.byteLength;
  arena.alloc(2 * before / 4); // more floats than the memory holds: it grows
  assert.ok(arena.f32.buffer.byteLength > before);
  assert.equal(arena.i32.buffer, arena.f32.buffer);
  assert.deepEqual(record(arena, putGeometry(arena, d, 3)), { ...d, N: 3 });
});
