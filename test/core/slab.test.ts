// Mid-sized arrays from alloc() are views into shared slabs (core/slab.ts): they must behave as
// independent, zeroed arrays of their dtype, stay off the pool, and pin a bounded amount of memory.

import { test } from "node:test";
import assert from "node:assert/strict";
import { alloc, type DType, type Storage } from "../../src/core/dtype.js";
import { POOL_MIN_LENGTH, pooledByteCount, recycle } from "../../src/core/pool.js";
import { ON_HEAP_BYTES } from "../../src/core/slab.js";

const bytesOf = (dtype: DType) => (dtype === "float64" ? 8 : 4);
const isView = (a: Storage) => a.byteLength !== a.buffer.byteLength;

for (const dtype of ["float32", "float64"] as const) {
  const smallest = ON_HEAP_BYTES / bytesOf(dtype) + 1;

  test(`${dtype}: lengths from ${smallest} to POOL_MIN_LENGTH - 1 are slab views; shorter and longer ones own their buffers`, () => {
    for (const n of [smallest, 100, 784, POOL_MIN_LENGTH - 1]) {
      const a = alloc(dtype, n);
      assert.equal(a.length, n);
      assert.equal(a instanceof Float64Array, dtype === "float64");
      assert.ok(isView(a), `length ${n} is a view`);
      assert.equal(a.byteOffset % 8, 0, `length ${n}: 8-byte aligned`);
    }
    for (const n of [0, 1, smallest - 1, POOL_MIN_LENGTH]) assert.ok(!isView(alloc(dtype, n)), `length ${n} owns its buffer`);
  });

  test(`${dtype}: slab views are zeroed and independent, however many share a buffer`, () => {
    // Mixed lengths, several slabs' worth of each size class, all kept alive and each filled.
    const lengths = [smallest, 37, 200, 784, 1000, 3000];
    const arrays: Storage[] = [];
    for (let k = 0; k < 200; k++) {
      const a = alloc(dtype, lengths[k % lengths.length]);
      assert.ok(a.every((v) => v === 0), `array ${k} comes zeroed`);
      a.fill(k + 0.5);
      arrays.push(a);
    }
    arrays.forEach((a, k) => assert.ok(a.every((v) => v === k + 0.5), `array ${k} kept its values after later allocations`));
    assert.ok(new Set(arrays.map((a) => a.buffer)).size < arrays.length, "some arrays do share a slab");
  });

  test(`${dtype}: a slab view pins at most 64 KiB and at most 32 times its own bytes`, () => {
    for (const n of [smallest, 50, 511, 784, 2049, POOL_MIN_LENGTH - 1]) {
      const a = alloc(dtype, n);
      assert.ok(a.buffer.byteLength <= 64 * 1024, `length ${n}: slab of ${a.buffer.byteLength} bytes`);
      assert.ok(a.buffer.byteLength <= 32 * a.byteLength, `length ${n}: slab of ${a.buffer.byteLength} bytes for ${a.byteLength}`);
    }
  });
}

test("float32 and float64 views are correct arrays of their type (writes round as the type does)", () => {
  const f = alloc("float32", 100);
  const d = alloc("float64", 100);
  f[99] = 0.1;
  d[99] = 0.1;
  assert.equal(f[99], Math.fround(0.1));
  assert.equal(d[99], 0.1);
  assert.equal(f.subarray(98).length, 2);
  assert.deepEqual(Array.from(d.slice(98)), [0, 0.1]);
});

test("recycle() refuses slab views: the pool never hands out part of a slab", () => {
  const before = pooledByteCount();
  for (const n of [100, POOL_MIN_LENGTH - 1]) recycle(alloc("float32", n));
  assert.equal(pooledByteCount(), before);
});
