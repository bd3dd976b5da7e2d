// Resident arrays (src/kernels/wasm/runtime/resident.ts): while the "wasm" backend is active, large
// float32 arrays live in the module's memory and its kernels use them in place. Checked here:
// which arrays become resident; every kernel gives the same bits on resident operands as on
// copies, with 1 and 2 threads; an output that overlaps an input of the same call is still
// computed from the input as it was; recycled blocks come back through the pool; the cap; views
// survive the memory growing; LeNet-5 training is bit-identical with and without them.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../../../src/index.js";
import { alloc } from "../../../../src/core/dtype.js";
import { fromSource, recycle } from "../../../../src/core/pool.js";
import { Generator } from "../../../../src/core/random.js";
import { refKernels, residentBytes, setResidentArrays, slidingOutputSize, type Conv2dDims, type Kernels, type PoolGeometry } from "../../../../src/kernels/index.js";
import { Arena } from "../../../../src/kernels/wasm/runtime/arena.js";
import { convAlgorithm } from "../../../../src/kernels/wasm/conv/choose.js";
import type { WasmExports } from "../../../../src/kernels/wasm/runtime/signatures.js";
import { ResidentHeap } from "../../../../src/kernels/wasm/runtime/resident.js";
import { crossEntropySteps } from "../../../helpers/steps.js";
import { randomF32, wasm } from "../parity.js";

/** Whether this engine runs the threads build (resident arrays need its shared memory). */
const SHARED = typeof SharedArrayBuffer === "function";

function withWasm<T>(resident: boolean, threads: number, fn: () => T): T {
  const [backend, before] = [torch.getBackend(), torch.getNumThreads()];
  torch.setBackend("wasm");
  setResidentArrays(resident);
  torch.setNumThreads(threads);
  try {
    return fn();
  } finally {
    setResidentArrays(true);
    torch.setNumThreads(before);
    torch.setBackend(backend);
  }
}

const isResident = (a: Float32Array | Float64Array) => a.buffer instanceof SharedArrayBuffer;

/** A copy of src from alloc(), which makes large ones resident while wasm is active. */
function residentCopy(src: Float32Array): Float32Array {
  const a = alloc("float32", src.length) as Float32Array;
  assert.ok(isResident(a) || src.length < 4096, `an array of ${src.length} floats should be resident`);
  a.set(src);
  return a;
}

test("large float32 arrays live in WebAssembly memory only while the wasm backend is active", { skip: !SHARED }, () => {
  withWasm(true, 1, () => {
    const a = alloc("float32", 5000);
    assert.ok(isResident(a));
    assert.ok(a.every((v) => v === 0), "a resident array starts zeroed");
    assert.ok(!isResident(alloc("float32", 100)), "small arrays stay on the JS heap");
    assert.ok(!isResident(alloc("float64", 5000)), "float64 stays on the JS heap");
    assert.ok(isResident(torch.zeros([100, 100]).data), "tensors get resident storage");
    setResidentArrays(false);
    assert.ok(!isResident(alloc("float32", 5001)));
  });
  torch.setBackend("js");
  try {
    assert.ok(!isResident(alloc("float32", 5002)), "the js backend keeps arrays on the JS heap");
  } finally {
    torch.setBackend("wasm");
  }
  assert.ok(residentBytes() > 0);
});

/** Every wasm kernel on fresh arrays from `arr` (resident or plain copies of the same values). */
function runKernels(k: Kernels, arr: (src: Float32Array) => Float32Array): Record<string, Float32Array> {
  const g = new Generator(7);
  const out: Record<string, Float32Array> = {};
  const zeros = (n: number) => arr(new Float32Array(n));
  for (const [name, s] of [
    ["c1", { N: 6, C: 1, H: 28, W: 28, OC: 6, KH: 5, KW: 5, PH: 2, PW: 2 }],
    ["c3", { N: 6, C: 6, H: 14, W: 14, OC: 16, KH: 5, KW: 5, PH: 0, PW: 0 }],
    ["wide", { N: 2, C: 40, H: 9, W: 9, OC: 12, KH: 3, KW: 3, PH: 1, PW: 1 }],
  ] as const) {
    const d: Conv2dDims = { ...s, SH: 1, SW: 1, DH: 1, DW: 1, groups: 1, OH: s.H + 2 * s.PH - s.KH + 1, OW: s.W + 2 * s.PW - s.KW + 1 };
    const [nx, nw, ny] = [d.N * d.C * d.H * d.W, d.OC * d.C * d.KH * d.KW, d.N * d.OC * d.OH * d.OW];
    const [x, w, b, dy] = [arr(randomF32(nx, g)), arr(randomF32(nw, g)), randomF32(d.OC, g), arr(randomF32(ny, g))];
    for (const alg of ["direct", "im2col"] as const) {
      convAlgorithm.force = alg;
      try {
        const [y, yt, dx, dw, db] = [zeros(ny), zeros(ny), zeros(nx), zeros(nw), new Float32Array(d.OC)];
        k.conv2dForward(d, x, w, b, y);
        k.conv2dForward(d, x, w, b, yt, "tanh");
        k.conv2dBackwardInput(d, dy, w, dx);
        k.conv2dBackwardWeight(d, x, dy, dw, db);
        Object.assign(out, { [`${name} ${alg} y`]: y, [`${name} ${alg} tanh(y)`]: yt, [`${name} ${alg} dx`]: dx, [`${name} ${alg} dw`]: dw, [`${name} ${alg} db`]: db });
      } finally {
        convAlgorithm.force = "auto";
      }
    }
  }
  const [M, N, K] = [70, 90, 50];
  const [A, B] = [arr(randomF32(M * K, g)), arr(randomF32(K * N, g))];
  for (const [transA, transB] of [[false, false], [true, false], [false, true]]) {
    const C = zeros(M * N);
    k.gemm({ transA, transB, M, N, K, A, B, C });
    const Cacc = arr(randomF32(M * N, g));
    k.gemm({ transA, transB, M, N, K, A, B, C: Cacc, accumulate: true });
    Object.assign(out, { [`gemm ${transA} ${transB}`]: C, [`gemm accumulate ${transA} ${transB}`]: Cacc });
  }
  const pg: PoolGeometry = { NC: 48, H: 28, W: 28, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: slidingOutputSize(28, 2, 2, 0, 1), OW: slidingOutputSize(28, 2, 2, 0, 1) };
  const [px, pdy] = [arr(randomF32(48 * 28 * 28, g)), arr(randomF32(48 * 14 * 14, g))];
  const [avg, max, avgT, dxa, dxm] = [zeros(48 * 14 * 14), zeros(48 * 14 * 14), zeros(48 * 14 * 14), zeros(48 * 28 * 28), zeros(48 * 28 * 28)];
  const argmax = new Int32Array(48 * 14 * 14);
  k.avgPool2dForward(pg, px, avg, true);
  k.avgPool2dForward(pg, px, avgT, true, "tanh");
  k.maxPool2dForward(pg, px, max, argmax);
  k.avgPool2dBackward(pg, pdy, dxa, true);
  k.maxPool2dBackward(pg, pdy, argmax, dxm);
  const [t, tb, r, rb] = [zeros(px.length), zeros(px.length), zeros(px.length), zeros(px.length)];
  k.tanhForward(px, t);
  k.tanhBackward(t, px, tb);
  k.reluForward(px, r);
  k.reluBackward(px, t, rb);
  const cg = { C: 3, H: 30, W: 30, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 30, OW: 30 };
  const cols = zeros(3 * 9 * 900);
  const img = arr(randomF32(2 * 2700, g));
  k.im2col(cg, img, 2700, cols);
  const back = arr(randomF32(2 * 2700, g));
  k.col2im(cg, cols, back, 2700);
  return { ...out, avg, avgT, max, dxa, dxm, t, tb, r, rb, cols, back };
}

test("every kernel gives the same bits on resident operands as on copies, with 1 and 2 threads", { skip: !SHARED }, () => {
  const copies = withWasm(false, 1, () => runKernels(wasm, (s) => s.slice()));
  for (const threads of [1, 2]) {
    const resident = withWasm(true, threads, () => runKernels(wasm, residentCopy));
    for (const [label, want] of Object.entries(copies)) {
      assert.ok(isResident(resident[label]) || resident[label].length < 4096, `${label}: the output should be resident`);
      assert.deepEqual(resident[label], want, `${label}, ${threads} thread(s)`);
    }
  }
});

test("an output that overlaps an input of the same call is computed from the input as it was", { skip: !SHARED }, () => {
  withWasm(true, 2, () => {
    const g = new Generator(11);
    // tanh's gradient written over y (what a private activation does: ops/fused.ts)
    const [y0, dy] = [randomF32(70000, g), residentCopy(randomF32(70000, g))];
    const y = residentCopy(y0);
    wasm.tanhBackward(y, dy, y);
    const want = new Float32Array(y0.length);
    refKernels.tanhBackward(y0, dy.slice(), want);
    assert.deepEqual(y, want);
    // ... and with dy a view of the same memory four floats behind y: written in place, y[i]
    // would overwrite dy[i + 4] before it is read
    const buf0 = randomF32(70004, g);
    const buf = residentCopy(buf0);
    const [yv, dyv] = [buf.subarray(4), buf.subarray(0, 70000)];
    wasm.tanhBackward(yv, dyv, yv);
    const shifted = new Float32Array(70000);
    refKernels.tanhBackward(buf0.slice(4), buf0.slice(0, 70000), shifted);
    assert.deepEqual(yv, shifted);
    // C (+)= A.B with C over B's rows (few rows of A: the GEMM reads B in place, unpacked)
    const [M, N, K] = [6, 512, 64];
    const bc0 = randomF32(K * N + 2048, g);
    const [bc, A] = [residentCopy(bc0), residentCopy(randomF32(M * K, g))];
    wasm.gemm({ transA: false, transB: false, M, N, K, A, B: bc, bOffset: 0, C: bc, cOffset: 1024, accumulate: true });
    const C = bc0.slice(1024, 1024 + M * N);
    wasm.gemm({ transA: false, transB: false, M, N, K, A: A.slice(), B: bc0.slice(0, K * N), C, accumulate: true });
    assert.deepEqual(bc.subarray(1024, 1024 + M * N), C);
    // a convolution's output over its own input, three times as large per image (in place, the
    // first image's output would overwrite the next images' input before they are read)
    for (const alg of ["direct", "im2col"] as const) {
      convAlgorithm.force = alg;
      try {
        const d: Conv2dDims = { N: 4, C: 2, H: 14, W: 14, OC: 6, KH: 3, KW: 3, PH: 1, PW: 1, SH: 1, SW: 1, DH: 1, DW: 1, groups: 1, OH: 14, OW: 14 };
        const [nx, ny] = [4 * 2 * 14 * 14, 4 * 6 * 14 * 14];
        const xy0 = randomF32(ny, g);
        const w = randomF32(6 * 2 * 9, g);
        const xy = residentCopy(xy0);
        wasm.conv2dForward(d, xy, w, null, xy);
        const yWant = new Float32Array(ny);
        wasm.conv2dForward(d, xy0.slice(0, nx), w, null, yWant);
        assert.deepEqual(xy, yWant, alg);
      } finally {
        convAlgorithm.force = "auto";
      }
    }
  });
});

test("a recycled resident array's memory comes back, zeroed, as a new array; the old one can no longer give it back", { skip: !SHARED }, () => {
  withWasm(true, 1, () => {
    const a = alloc("float32", 12345);
    assert.ok(isResident(a) && fromSource(a));
    a.fill(3);
    recycle(a);
    assert.ok(!fromSource(a), "given back");
    const b = alloc("float32", 12345);
    assert.equal(b.byteOffset, a.byteOffset, "best fit: the same memory");
    assert.notEqual(b, a, "a new array: a stale holder of the old one cannot free the new owner's block");
    assert.ok(b.every((v) => v === 0));
    b.fill(5);
    recycle(a); // stale: ignored
    assert.ok(fromSource(b));
    const c = alloc("float32", 12345);
    assert.notEqual(c.byteOffset, b.byteOffset);
    assert.ok(b.every((v) => v === 5), "the live block kept its values");
    recycle(b);
    recycle(c);
  });
});

/** A heap over a fresh shared memory, reserving from an arena as the context does. */
function smallHeap(maxBytes: number) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const exports = { memory, dataBase: () => 1024 } as unknown as WasmExports;
  const arena = new Arena(exports);
  const heap = new ResidentHeap(arena, memory, (at, n) => new Float32Array(memory.buffer, at, n).fill(0), maxBytes);
  heap.enabled = true;
  return { heap, arena, memory };
}

test("blocks start zeroed, even over memory that staging wrote", { skip: !SHARED }, () => {
  const { heap, arena } = smallHeap(64 * 2 ** 20);
  arena.reset();
  const at = arena.alloc(3 * 2 ** 20);
  arena.f32.fill(NaN, at / 4, at / 4 + 3 * 2 ** 18);
  for (let i = 0; i < 20; i++) {
    const a = heap.take(100000 + i)!; // 0.4 MB each: the first chunks lie over the staged NaNs
    assert.ok(a.every((v) => v === 0), `block ${i} is not zero`);
  }
});

test("a length whose blocks never come back stops being served; past its cap the heap hands out nothing; views survive the memory growing", { skip: !SHARED }, () => {
  const { heap, arena, memory } = smallHeap(16 * 2 ** 20);
  const same = Array.from({ length: 40 }, () => heap.take(4100));
  assert.equal(same.filter((a) => a !== null).length, 32);
  const first = heap.take(5000)!;
  first.fill(7);
  const taken = [first];
  for (let a = heap.take(300000 + taken.length); a !== null; a = heap.take(300000 + taken.length)) taken.push(a);
  assert.ok(taken.length >= 10, `only ${taken.length} blocks in 16 MiB`);
  assert.ok(heap.reservedBytes <= heap.maxBytes);
  assert.ok(memory.buffer.byteLength > 16 * 2 ** 20, "the memory grew");
  assert.ok(first.every((v) => v === 7), "a view made before the memory grew still sees its values");
  arena.reset();
  assert.ok(arena.alloc(1) >= taken[taken.length - 1].byteOffset + 4 * 300000, "staging lies above every block");
  assert.ok(taken.every((a) => heap.owns(a)));
  assert.ok(heap.owns(first) && !heap.owns(first.subarray(1)) && !heap.owns(new Float32Array(5000)));
  assert.equal(heap.addressOf(first.subarray(10)), first.byteOffset + 40);
  const other = smallHeap(2 ** 30).heap;
  other.enabled = false;
  assert.equal(other.take(5000), null, "a disabled heap hands out nothing");
});

test("LeNet-5 SGD steps give the same losses and parameters, bit for bit, with and without resident arrays", { skip: !SHARED }, () => {
  const train = (resident: boolean) =>
    withWasm(resident, 2, () => {
      torch.manualSeed(3);
      const model = torch.models.lenet5({ c3: "full" });
      const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = torch.randn([16, 1, 28, 28]);
      const labels = torch.tensor(Array.from({ length: 16 }, (_, i) => i % 10));
      const losses = crossEntropySteps(model, opt, x, labels, 3);
      return { losses, params: model.parameters().map((p) => Array.from(p.data)), resident: model.parameters().some((p) => isResident(p.data)) };
    });
  const [off, on] = [train(false), train(true)];
  assert.ok(on.resident && !off.resident, "the run with resident arrays should have resident parameters");
  assert.deepEqual(on.losses, off.losses);
  assert.deepEqual(on.params, off.params);
});

test("blocks given back merge with free neighbours and serve larger arrays (best fit, the rest split off)", { skip: !SHARED }, () => {
  const { heap } = smallHeap(64 * 2 ** 20);
  const MB = 2 ** 18; // floats in 1 MiB
  const [a, b, c] = [heap.take(MB)!, heap.take(MB)!, heap.take(MB)!];
  assert.ok(b.byteOffset > a.byteOffset && c.byteOffset > b.byteOffset);
  heap.giveBack(a);
  heap.giveBack(b);
  const two = heap.take(2 * MB - 64)!; // a's and b's blocks, merged
  assert.equal(two.byteOffset, a.byteOffset);
  assert.ok(!heap.owns(a) && heap.owns(two) && heap.owns(c));
  heap.giveBack(two);
  // Free now: the merged 2 MiB at a, and the chunk's tail (under 1 MiB) after c.
  const big = heap.take(1.5 * MB)!; // fits only the merged block
  assert.equal(big.byteOffset, a.byteOffset);
  const small = heap.take(5000)!; // the smallest free block that fits: what big left of it (0.5 MiB)
  assert.equal(small.byteOffset, big.byteOffset + 4 * 1.5 * MB + 64, "the rest was split off, and is the best fit");
  heap.giveBack(c);
  heap.giveBack(small);
  heap.giveBack(big);
  assert.equal(heap.freeByteCount, heap.reservedBytes, "everything merged back");
});

test("a backward pass's gradients reuse the deeper layers' freed activations: reserved stays near the activations' total", { skip: !SHARED }, () => {
  const { heap } = smallHeap(2 ** 30);
  // A VGG-like forward: activations shrinking layer by layer, all alive at the end of the forward.
  const sizes = [4, 4, 2, 2, 1, 1, 0.5, 0.5, 0.25].map((mb) => mb * 2 ** 18);
  const acts = sizes.map((n) => heap.take(n)!);
  const total = sizes.reduce((s, n) => s + 4 * n, 0);
  // Backward from the last layer: each layer's gradient is made while its activation is alive,
  // then the activation (and the gradient of the layer above) goes back.
  let above: Float32Array | null = null;
  for (let k = sizes.length - 1; k >= 0; k--) {
    const grad = heap.take(sizes[k])!;
    assert.ok(grad !== null);
    if (above) heap.giveBack(above);
    heap.giveBack(acts[k]);
    above = grad;
  }
  heap.giveBack(above!);
  assert.ok(heap.reservedBytes <= 1.6 * total, `reserved ${heap.reservedBytes} for ${total} bytes of activations`);
});

test("the cap starts at the base and grows with what comes back, never past the ceiling", { skip: !SHARED }, () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const arena = new Arena({ memory, dataBase: () => 1024 } as unknown as WasmExports);
  const heap = new ResidentHeap(arena, memory, (at, n) => new Float32Array(memory.buffer, at, n).fill(0), 8 * 2 ** 20, 40 * 2 ** 20);
  heap.enabled = true;
  const n = 2 ** 19; // 2 MiB
  const held: Float32Array[] = [];
  for (let a = heap.take(n); a !== null; a = heap.take(n)) held.push(a);
  assert.ok(heap.reservedBytes <= 8 * 2 ** 20 && held.length >= 3, `${held.length} blocks under the base`);
  assert.equal(heap.maxBytes, 8 * 2 ** 20, "nothing came back yet");
  for (const a of held) heap.giveBack(a);
  assert.ok(heap.maxBytes >= 2 * held.length * 4 * n, "twice what came back");
  const more: Float32Array[] = [];
  for (let a = heap.take(n); a !== null; a = heap.take(n)) more.push(a);
  assert.ok(more.length > held.length, `${more.length} blocks after the growth`);
  assert.ok(heap.reservedBytes <= 40 * 2 ** 20);
  for (const a of more) heap.giveBack(a);
  for (let i = 0; i < 5; i++) for (const a of Array.from({ length: 10 }, () => heap.take(n)).filter((a) => a !== null)) heap.giveBack(a!);
  assert.ok(heap.maxBytes <= 40 * 2 ** 20 && heap.reservedBytes <= 40 * 2 ** 20, "the ceiling holds");
});
