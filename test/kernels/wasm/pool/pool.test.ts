// The WebAssembly pooling, tanh and sigmoid kernels agree with the references: padding, ceil-mode windows
// that run past the input, countIncludePad both ways, odd sizes, NaN in max pooling.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator } from "../../../../src/core/random.js";
import type { PoolGeometry } from "../../../../src/kernels/index.js";
import { assertAgree, js, randomF32, wasm } from "../parity.js";

// [label, NC, H, W, KH, KW, SH, SW, PH, PW, OH, OW] (OH/OW as the op computes them)
const CASES: [string, PoolGeometry][] = [
  ["LeNet 2x2 stride 2", { NC: 12, H: 28, W: 28, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 14, OW: 14 }],
  // The 2x2 fast path's tails: an odd number of outputs per row, and a last row and column in no window.
  ["2x2 stride 2 on 11x13", { NC: 7, H: 11, W: 13, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 5, OW: 6 }],
  ["2x2 stride 2 on 10x10 (LeNet's second pooling)", { NC: 3, H: 10, W: 10, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 5, OW: 5 }],
  ["3x3 stride 2 padding 1, odd sizes", { NC: 5, H: 7, W: 5, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, OH: 4, OW: 3 }],
  ["ceil mode window past the input", { NC: 3, H: 5, W: 5, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 3, OW: 3 }],
  ["3x2 stride [1, 3] padding [1, 1]", { NC: 17, H: 3, W: 7, KH: 3, KW: 2, SH: 1, SW: 3, PH: 1, PW: 1, OH: 3, OW: 3 }],
  // The stride-2 kernel (four outputs of a row at a time over a -Infinity-padded plane): d2l's
  // 3x3 padding 1 on ResNet's stem output (rows of 12: three whole groups), on rows of 9 (a
  // group of 1), a 3x3 ceil-mode window past the input, and 5x4 windows padding [2, 1].
  ["3x3 stride 2 padding 1 on 24x24", { NC: 6, H: 24, W: 24, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, OH: 12, OW: 12 }],
  ["3x3 stride 2 padding 1 on 17x18", { NC: 4, H: 17, W: 18, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, OH: 9, OW: 9 }],
  ["3x3 stride 2 ceil mode on 8x8", { NC: 3, H: 8, W: 8, KH: 3, KW: 3, SH: 2, SW: 2, PH: 0, PW: 0, OH: 4, OW: 4 }],
  ["5x4 stride 2 padding [2, 1] on 11x9", { NC: 2, H: 11, W: 9, KH: 5, KW: 4, SH: 2, SW: 2, PH: 2, PW: 1, OH: 6, OW: 5 }],
  // and at stride 1: GoogLeNet's 3x3 padding 1 (rows of 28: seven groups), rows of 6 (a group of 2)
  ["3x3 stride 1 padding 1 on 28x28", { NC: 5, H: 28, W: 28, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, OH: 28, OW: 28 }],
  ["3x2 stride 1 padding [1, 0] on 5x7", { NC: 3, H: 5, W: 7, KH: 3, KW: 2, SH: 1, SW: 1, PH: 1, PW: 0, OH: 5, OW: 6 }],
];

for (const [label, g] of CASES) {
  test(`wasm pooling = js: ${label}`, () => {
    const gen = new Generator(12);
    const nx = g.NC * g.H * g.W;
    const ny = g.NC * g.OH * g.OW;
    const x = randomF32(nx, gen);
    x[4] = NaN;
    const dy = randomF32(ny, gen);
    for (const include of [true, false]) {
      const [yw, yj] = [new Float32Array(ny), new Float32Array(ny)];
      wasm.avgPool2dForward(g, x.map((v) => (Number.isNaN(v) ? 0 : v)), yw, include);
      js.avgPool2dForward(g, x.map((v) => (Number.isNaN(v) ? 0 : v)), yj, include);
      assert.deepEqual(yw, yj, `${label} avg forward include=${include}: bit-identical (both sum in f64)`);
      // dx is overwritten: start both from non-zero values.
      const dx0 = randomF32(nx, gen);
      const [dxw, dxj] = [dx0.slice(), randomF32(nx, gen)];
      wasm.avgPool2dBackward(g, dy, dxw, include);
      js.avgPool2dBackward(g, dy, dxj, include);
      assert.deepEqual(dxw, dxj, `${label} avg backward include=${include}: bit-identical`);
    }
    const [yw, yj] = [new Float32Array(ny), new Float32Array(ny)];
    const [aw, aj] = [new Int32Array(ny), new Int32Array(ny)];
    wasm.maxPool2dForward(g, x, yw, aw);
    js.maxPool2dForward(g, x, yj, aj);
    assert.deepEqual(aw, aj, `${label} max argmax`);
    assert.deepEqual(yw, yj, `${label} max forward`);
    const dx0 = randomF32(nx, gen);
    const [dxw, dxj] = [dx0.slice(), randomF32(nx, gen)];
    wasm.maxPool2dBackward(g, dy, aw, dxw);
    js.maxPool2dBackward(g, dy, aj, dxj);
    assertAgree(`${label} max backward`, dxw, dxj);
  });
}

for (const S of [1, 2])
test(`wasm max pooling, stride ${S}: ties keep the first position, -Infinity windows their first real one, NaN wins (last NaN)`, () => {
  // a plane of ties and -Infinity with NaNs: every rule of the general loop at once
  const g: PoolGeometry = { NC: 2, H: 9, W: 10, KH: 3, KW: 3, SH: S, SW: S, PH: 1, PW: 1, OH: S === 2 ? 5 : 9, OW: S === 2 ? 5 : 10 };
  const x = new Float32Array(g.NC * g.H * g.W).map((_, i) => (i % 7 === 0 ? -Infinity : i % 3 === 0 ? 2 : 1));
  x.fill(-Infinity, 0, 30); // rows 0-2 of the first plane: windows of -Infinity only
  x[95] = NaN;
  x[97] = NaN;
  const ny = g.NC * g.OH * g.OW;
  const [yw, yj, aw, aj] = [new Float32Array(ny), new Float32Array(ny), new Int32Array(ny), new Int32Array(ny)];
  wasm.maxPool2dForward(g, x, yw, aw);
  js.maxPool2dForward(g, x, yj, aj);
  assert.deepEqual(aw, aj);
  assert.deepEqual(yw, yj);
  assert.equal(yj[0], -Infinity);
  assert.ok(yj.some(Number.isNaN), "the case reaches a NaN");
});

test("wasm tanh = Math.tanh within 4 float32 ulp, saturates, propagates NaN; odd lengths", () => {
  const gen = new Generator(13);
  for (const n of [1, 3, 5, 7, 17, 63, 64, 65, 1001]) {
    const x = randomF32(n, gen).map((v, i) => v * (1 + (i % 9)) * 2);
    const [yw, yj] = [new Float32Array(n), new Float32Array(n)];
    wasm.tanhForward(x, yw);
    js.tanhForward(x, yj);
    assertAgree(`tanh n=${n}`, yw, yj, 5e-7);
  }
  const x = new Float32Array(100).fill(0.5);
  x.set([NaN, 30, -30, 0, 1e-30], 0);
  const y = new Float32Array(100);
  wasm.tanhForward(x, y);
  assert.ok(Number.isNaN(y[0]), "tanh(NaN) is NaN");
  assert.deepEqual(Array.from(y.subarray(1, 4)), [1, -1, 0]);
  assertAgree("tanh(1e-30)", [y[4] * 1e30], [1], 5e-7);
});

/** The distance from v to the next float32 away from zero. */
function ulpOf(v: number): number {
  const f = new Float32Array([Math.abs(v)]);
  const next = new Float32Array(1);
  new Int32Array(next.buffer)[0] = new Int32Array(f.buffer)[0] + 1;
  return next[0] - f[0];
}

test("wasm sigmoid = the reference within 2 float32 ulp (1.2e-38 absolute where it is subnormal), NaN and infinities; odd lengths; backward bit-identical", () => {
  const gen = new Generator(14);
  for (const n of [1, 3, 5, 7, 17, 63, 64, 65, 1001, 100_003]) {
    const x = randomF32(n, gen).map((v, i) => v * (1 + (i % 13)) * 8); // up to +-104: both tails
    const [yw, yj] = [new Float32Array(n), new Float32Array(n)];
    wasm.sigmoidForward(x, yw);
    js.sigmoidForward(x, yj);
    for (let i = 0; i < n; i++) {
      const ok = yj[i] < 1.1755e-38 ? Math.abs(yw[i] - yj[i]) <= 1.2e-38 : Math.abs(yw[i] - yj[i]) <= 2 * ulpOf(yj[i]);
      assert.ok(ok, `n=${n}, x=${x[i]}: wasm ${yw[i]}, js ${yj[i]}`);
    }
    const dy = randomF32(n, gen);
    const [dw, dj] = [new Float32Array(n), new Float32Array(n)];
    wasm.sigmoidBackward(yj, dy, dw);
    js.sigmoidBackward(yj, dy, dj);
    assert.deepEqual(dw, dj, `sigmoid backward n=${n}`);
  }
  const x = new Float32Array(100).fill(0.5);
  x.set([NaN, Infinity, -Infinity, 0, -0, 88, -88, -1e-30], 0);
  const y = new Float32Array(100);
  wasm.sigmoidForward(x, y);
  assert.ok(Number.isNaN(y[0]), "sigmoid(NaN) is NaN");
  assert.deepEqual(Array.from(y.subarray(1, 6)), [1, 0, 0.5, 0.5, 1]);
  assert.ok(y[6] >= 0 && y[6] < 1e-37, `sigmoid(-88) = ${y[6]}`);
  assert.equal(y[7], 0.5);
});

test("wasm max pooling 2x2 (the fast path) breaks ties and -Infinity windows as the reference: the first of equal values", () => {
  const g: PoolGeometry = { NC: 2, H: 4, W: 10, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, OH: 2, OW: 5 };
  const x = new Float32Array(g.NC * g.H * g.W).fill(1); // every window a four-way tie
  for (let i = 0; i < g.W; i++) x[g.H * g.W + i] = x[g.H * g.W + g.W + i] = -Infinity; // plane 1, first window row
  x[3] = 2; // one window with a later, strictly greater value
  const ny = g.NC * g.OH * g.OW;
  const [yw, yj, aw, aj] = [new Float32Array(ny), new Float32Array(ny), new Int32Array(ny), new Int32Array(ny)];
  wasm.maxPool2dForward(g, x, yw, aw);
  js.maxPool2dForward(g, x, yj, aj);
  assert.deepEqual(aw, aj);
  assert.deepEqual(yw, yj);
  assert.equal(aw[0], 0, "a tie keeps the first position");
  assert.equal(aw[1], 3, "a later greater value wins");
});
