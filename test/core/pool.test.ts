// The storage pool (core/pool.ts) and the autograd engine's use of it: recycled arrays come back
// zeroed for the same length and dtype only; short arrays and views never enter it; and the
// gradient temporaries the engine recycles are truly dead (leaf .grad arrays, the caller's seed
// gradient and forward outputs are never handed out again), float32 and float64 alike.

import { test } from "node:test";
import assert, { AssertionError } from "node:assert/strict";
import { alloc, type DType, type Storage } from "../../src/core/dtype.js";
import { POOL_MIN_LENGTH, pooledByteCount, recycle, takePooled } from "../../src/core/pool.js";
import { Generator } from "../../src/core/random.js";
import * as torch from "../../src/index.js";

// The JS heap's pool, so the JS backend: under "wasm" large float32 arrays live in WebAssembly
// memory and go back to its allocator instead (test/kernels/wasm/runtime/resident.test.ts).
torch.setBackend("js");

// Lengths no other code in this process allocates, so nothing else takes or fills their lists.
const N32 = POOL_MIN_LENGTH + 907;
const N64 = POOL_MIN_LENGTH + 911;

test("a recycled array comes back, the same object and zeroed, for the next alloc of its length and dtype", () => {
  for (const [dtype, n, make] of [["float32", N32, () => new Float32Array(N32)], ["float64", N64, () => new Float64Array(N64)]] as const) {
    const a = make().fill(7);
    const before = pooledByteCount();
    recycle(a);
    assert.equal(pooledByteCount(), before + a.byteLength, `${dtype}: the pool counts the recycled bytes`);
    const b = alloc(dtype, n);
    assert.equal(b, a, `${dtype}: alloc hands out the recycled array`);
    assert.ok(b.every((v) => v === 0), `${dtype}: zero-filled`);
    assert.equal(pooledByteCount(), before, `${dtype}: and no longer counts it`);
    assert.notEqual(alloc(dtype, n), a, `${dtype}: handed out once only`);
  }
});

test("a recycled array is not handed out for another dtype or another length", () => {
  const a = new Float32Array(N32 + 1);
  recycle(a);
  assert.notEqual(alloc("float64", a.length), a);
  assert.equal(takePooled("float64", a.length), null);
  assert.notEqual(alloc("float32", a.length + 1), a);
  assert.notEqual(alloc("float32", a.length - 1), a);
  assert.equal(alloc("float32", a.length), a, "still there for its own length and dtype");
});

test("arrays shorter than POOL_MIN_LENGTH and views are never pooled; POOL_MIN_LENGTH itself is", () => {
  const before = pooledByteCount();
  const short = new Float32Array(POOL_MIN_LENGTH - 1);
  recycle(short);
  const big = new Float32Array(3 * POOL_MIN_LENGTH);
  const n = N32 + 2;
  // A view at offset 0 of a larger buffer, one at an offset, and one over a plain ArrayBuffer's start.
  const views = [big.subarray(0, n), big.subarray(8, 8 + n), new Float32Array(new ArrayBuffer(4 * (n + 4)), 0, n)];
  for (const v of views) recycle(v);
  assert.equal(pooledByteCount(), before, "nothing entered the pool");
  assert.equal(takePooled("float32", n), null);
  assert.notEqual(alloc("float32", short.length), short);

  const edge = new Float32Array(POOL_MIN_LENGTH);
  recycle(edge);
  assert.equal(pooledByteCount(), before + edge.byteLength);
  assert.equal(alloc("float32", POOL_MIN_LENGTH), edge);
  assert.equal(pooledByteCount(), before);
});

// ---------------------------------------------------------------- the autograd engine

const SHAPE = [60, 100]; // 6000 elements: over POOL_MIN_LENGTH, so every temporary is poolable
const NUMEL = 6000;

function leaf(dtype: DType, g: Generator): torch.Tensor {
  const data = dtype === "float64" ? new Float64Array(NUMEL) : new Float32Array(NUMEL);
  for (let i = 0; i < NUMEL; i++) data[i] = g.uniform(-1, 1);
  return new torch.Tensor(data, SHAPE, { requiresGrad: true });
}

/**
 * loss = sum(2ab * tanh(a) + ab), written so that gradients alias: u's gradient passes through
 * two reshapes unchanged, v is added to itself, u and the leaf a each feed two ops.
 */
function graph(a: torch.Tensor, b: torch.Tensor) {
  const u = a.mul(b);
  const v = u.reshape([100, 60]).view([NUMEL]);
  const w = v.add(v);
  const z = w.reshape(SHAPE).mul(a.tanh());
  const loss = z.add(u).sum();
  return { loss, u, w };
}

/** The gradients of graph's loss, by hand, in float64. */
function expected(a: Storage, b: Storage): [Float64Array, Float64Array] {
  const [da, db] = [new Float64Array(NUMEL), new Float64Array(NUMEL)];
  for (let i = 0; i < NUMEL; i++) {
    const t = Math.tanh(a[i]);
    da[i] = 2 * b[i] * t + 2 * a[i] * b[i] * (1 - t * t) + b[i];
    db[i] = 2 * a[i] * t + a[i];
  }
  return [da, db];
}

function assertClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      throw new AssertionError({ message: `${label}: element ${i}: ${got[i]} vs ${want[i]} (tol ${tol})` });
    }
  }
}

for (const dtype of ["float32", "float64"] as const) {
  const tol = dtype === "float64" ? 1e-12 : 2e-6;
  test(`${dtype}: recycled gradient temporaries never corrupt leaf grads, forward values or later graphs`, () => {
    const g = new Generator(31);
    const [a, b] = [leaf(dtype, g), leaf(dtype, g)];
    const first = graph(a, b);
    const forward = [first.u.data.slice(), first.w.data.slice()];
    const pooledBefore = pooledByteCount();
    first.loss.backward();
    assert.ok(pooledByteCount() > pooledBefore, "the backward recycled its temporaries");
    const [da, db] = expected(a.data, b.data);
    assertClose("a.grad", a.grad!.data, da, tol);
    assertClose("b.grad", b.grad!.data, db, tol);
    assert.equal(a.grad!.dtype, dtype);

    // A second graph takes the recycled arrays (its forward drains the pool) ...
    const held = [a.grad!.data, b.grad!.data];
    const [c, d] = [leaf(dtype, g), leaf(dtype, g)];
    const pooledAfterFirst = pooledByteCount();
    const second = graph(c, d);
    assert.ok(pooledByteCount() < pooledAfterFirst, "the second forward reused pooled arrays");
    second.loss.backward();
    const [dc, dd] = expected(c.data, d.data);
    assertClose("c.grad", c.grad!.data, dc, tol);
    assertClose("d.grad", d.grad!.data, dd, tol);

    // ... and more allocations of that length, scribbled on, never get a .grad or a forward output.
    const live = [...held, c.grad!.data, d.grad!.data, first.u.data, first.w.data];
    for (let k = 0; k < 12; k++) {
      const x = alloc(dtype, NUMEL);
      assert.ok(!live.includes(x), `alloc ${k} handed out a live array`);
      x.fill(99);
    }
    assertClose("a.grad after reuse", held[0], da, tol);
    assertClose("b.grad after reuse", held[1], db, tol);
    assertClose("c.grad after reuse", c.grad!.data, dc, tol);
    assert.deepEqual(first.u.data, forward[0], "u's forward values untouched");
    assert.deepEqual(first.w.data, forward[1], "w's forward values untouched");

    // A third backward into the same leaves accumulates into the same .grad arrays.
    graph(a, b).loss.backward();
    assert.equal(a.grad!.data, held[0]);
    assertClose("a.grad accumulated", a.grad!.data, da.map((v) => 2 * v), tol);
    assertClose("b.grad accumulated", b.grad!.data, db.map((v) => 2 * v), tol);
  });
}

test("float32 gradients through the recycling engine match the same computation in float64", () => {
  const g = new Generator(32);
  const [a, b] = [leaf("float32", g), leaf("float32", g)];
  const [a64, b64] = [a, b].map((t) => new torch.Tensor(Float64Array.from(t.data), SHAPE, { requiresGrad: true }));
  graph(a, b).loss.backward();
  graph(a64, b64).loss.backward();
  assertClose("a.grad vs float64", a.grad!.data, a64.grad!.data, 2e-6);
  assertClose("b.grad vs float64", b.grad!.data, b64.grad!.data, 2e-6);
});

test("a caller's gradient passed to backward is neither changed nor recycled", () => {
  const gen = new Generator(33);
  const [a, b] = [leaf("float32", gen), leaf("float32", gen)];
  const seed = leaf("float32", gen).detach();
  const seedValues = seed.data.slice();
  // Reshape at the root: its backward passes the seed itself on.
  a.mul(b).add(a).reshape([NUMEL]).backward(seed.reshape([NUMEL]));
  assert.deepEqual(seed.data, seedValues, "the seed is unchanged");
  for (let k = 0; k < 8; k++) assert.notEqual(alloc("float32", NUMEL), seed.data, "the seed is never handed out");
  const want = Float64Array.from(seedValues, (s, i) => s * (b.data[i] + 1));
  assertClose("a.grad", a.grad!.data, want, 2e-6);
});

test("after a LeNet-5 backward the pool holds the recycled temporaries", () => {
  torch.manualSeed(4);
  const model = torch.models.lenet5();
  const loss = torch.F.crossEntropy(model.forward(torch.randn([16, 1, 28, 28])), torch.tensor(Array.from({ length: 16 }, (_, i) => i % 10)));
  const before = pooledByteCount();
  loss.backward();
  assert.ok(pooledByteCount() > before, `pooled bytes ${before} -> ${pooledByteCount()}`);
  assert.ok(pooledByteCount() > 0);
});

// Found while writing these tests: batchNorm caches its per-channel dy sums by dy's identity
// (ops/norm.ts), and a recycled array gives the next backward the same dy object with other
// values, so a second backward through a retained graph reuses the first one's sums.
test("batchNorm: a second backward through a retained graph uses the new gradient", () => {
  const run = (retain: boolean) => {
    torch.manualSeed(0);
    const x = torch.randn([8, 4, 16, 16]); // 8192 values: dy goes through the pool
    const [w, b] = [torch.ones([4], { requiresGrad: true }), torch.zeros([4], { requiresGrad: true })];
    const z = torch.F.batchNorm(x, null, null, w, b, true).mul(2);
    const [g1, g2] = [torch.ones([8, 4, 16, 16]), torch.randn([8, 4, 16, 16])];
    if (retain) z.backward(g1, { retainGraph: true });
    b.grad = null;
    z.backward(g2);
    return b.grad!.data;
  };
  assertClose("bias grad after a retained first backward", run(true), run(false), 1e-6);
});
