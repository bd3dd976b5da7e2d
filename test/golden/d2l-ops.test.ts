// The ops of d2l chapters 7-8 against PyTorch (test/golden/d2l-ops.json, from generate_d2l_ops.py): pad,
// interpolate, adaptive pooling, conv1d, conv2d padding "same"/"valid", d2l's pooling
// examples and batchNorm (with its running statistics), in float32 (loose) and float64 (tight);
// BatchNorm2d's state over training steps; nn.init's distributions.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import type { InterpolateOptions, PadOptions } from "../../src/functional.js";
import { assertClose, F32, F64, loadGolden, toTensor, type Encoded, type GoldenCase } from "./golden.js";

type Pair = number | [number, number];

interface Args {
  pads?: number[];
  mode?: string;
  value?: number;
  size?: number | number[];
  scaleFactor?: number | number[];
  alignCorners?: boolean;
  outputSize?: number | [number | null, number | null];
  stride?: Pair;
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
  kernelSize?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  training?: boolean;
  momentum?: number;
  eps?: number;
  stats?: boolean;
  affine?: boolean;
}

interface Case extends GoldenCase<Args> {
  after?: { runningMean: Encoded; runningVar: Encoded };
}

type Op = (x: Tensor[], a: Args) => Tensor;
const { F } = torch;
const single = (v: Pair | "same" | "valid" | undefined) => (Array.isArray(v) ? v[0] : v) as number | "same" | "valid" | undefined;

const OPS: Record<string, Op> = {
  pad: ([x], a) => F.pad(x, a.pads!, { mode: a.mode as PadOptions["mode"], value: a.value }),
  interpolate: ([x], a) => F.interpolate(x, { size: a.size, scaleFactor: a.scaleFactor, mode: a.mode as InterpolateOptions["mode"], alignCorners: a.alignCorners }),
  adaptiveAvgPool2d: ([x], a) => F.adaptiveAvgPool2d(x, a.outputSize!),
  adaptiveMaxPool2d: ([x], a) => F.adaptiveMaxPool2d(x, a.outputSize!),
  conv1d: ([x, w, b], a) =>
    F.conv1d(x, w, b, { stride: single(a.stride) as number, padding: single(a.padding), dilation: single(a.dilation) as number, groups: a.groups }),
  conv2d: ([x, w, b], a) => F.conv2d(x, w, b, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }),
  avgPool2d: ([x], a) => F.avgPool2d(x, a.kernelSize!, { stride: a.stride, padding: a.padding as Pair, ceilMode: a.ceilMode, countIncludePad: a.countIncludePad }),
  maxPool2d: ([x], a) => F.maxPool2d(x, a.kernelSize!, { stride: a.stride, padding: a.padding as Pair, ceilMode: a.ceilMode }),
  batchNorm: ([x, ...rest], a) => {
    const [rm, rv] = a.stats ? rest : [null, null];
    const [w, b] = a.affine ? rest.slice(-2) : [null, null];
    return F.batchNorm(x, rm, rv, w, b, a.training, a.momentum, a.eps);
  },
};

function check(c: Case, dtype: DType): void {
  const tol = dtype === "float32" ? F32 : F64;
  const where = `${c.name} [${dtype}]`;
  const xs = c.inputs.map((e, i) => toTensor(e, dtype, c.grads[i] !== null && c.grads[i] !== undefined));
  const out = OPS[c.op](xs, c.args);
  assertClose(`${where} output`, out.data, out.shape, c.output, tol);
  if (c.after) {
    assertClose(`${where} running mean after`, xs[1].data, xs[1].shape, c.after.runningMean, tol);
    assertClose(`${where} running var after`, xs[2].data, xs[2].shape, c.after.runningVar, tol);
  }
  if (!c.grads.some((g) => g !== null)) return;
  out.backward(c.R ? toTensor(c.R, dtype) : undefined);
  c.grads.forEach((g, i) => {
    if (g === null) return;
    const grad = xs[i].grad;
    if (grad === null) throw new Error(`${where}: input ${i} got no gradient`);
    assertClose(`${where} grad of input ${i}`, grad.data, grad.shape, g, tol);
  });
}

interface ModuleRun {
  momentum: number | null;
  inputs: Encoded[];
  evalInput: Encoded;
  evalOutput: Encoded;
  stateDict: Record<string, Encoded>;
}

interface InitFact {
  fn: "xavierUniform_" | "xavierNormal_" | "kaimingUniform_" | "kaimingNormal_";
  shape: number[];
  options: { gain?: number; a?: number; mode?: "fanIn" | "fanOut"; nonlinearity?: "relu" | "tanh" };
  n: number;
  std: number;
  maxAbs: number;
  mean: number;
}

const golden = loadGolden<{ torch: string; cases: Case[]; modules: ModuleRun[]; init: InitFact[] }>("d2l-ops.json");

describe(`d2l chapters 7-8 ops match PyTorch ${golden.torch} (golden/d2l-ops.json)`, () => {
  for (const c of golden.cases) {
    test(c.name, () => {
      check(c, "float32");
      check(c, "float64");
    });
  }
});

describe("BatchNorm2d over three training steps, then eval()", () => {
  for (const run of golden.modules) {
    test(`momentum ${run.momentum}: running statistics, num_batches_tracked and the eval output`, () => {
      const bn = new torch.nn.BatchNorm2d(3, { momentum: run.momentum });
      for (const x of run.inputs) bn.forward(toTensor(x));
      bn.eval();
      const y = bn.forward(toTensor(run.evalInput));
      assertClose("eval output", y.data, y.shape, run.evalOutput, F32);
      const sd = bn.stateDict();
      assert.deepEqual(Object.keys(sd), Object.keys(run.stateDict));
      for (const [k, e] of Object.entries(run.stateDict)) assertClose(k, sd[k].data, sd[k].shape, e, F32);
    });
  }
});

describe("nn.init draws from PyTorch's distributions", () => {
  const { init } = torch.nn;
  golden.init.forEach((f, i) => {
    test(`${f.fn}(${JSON.stringify(f.options)}) on ${JSON.stringify(f.shape)}: std ${f.std.toFixed(4)}`, () => {
      torch.manualSeed(100 + i);
      const t = torch.zeros(f.shape);
      const o = f.options;
      if (f.fn === "xavierUniform_") init.xavierUniform_(t, o.gain);
      else if (f.fn === "xavierNormal_") init.xavierNormal_(t, o.gain);
      else if (f.fn === "kaimingUniform_") init.kaimingUniform_(t, o);
      else init.kaimingNormal_(t, o);
      let s = 0, s2 = 0, maxAbs = 0;
      for (const v of t.data) [s, s2, maxAbs] = [s + v, s2 + v * v, Math.max(maxAbs, Math.abs(v))];
      const mean = s / t.numel;
      const std = Math.sqrt(s2 / t.numel - mean * mean);
      // The sample std of n >= 18000 draws is within 2% of the true one (over 3 standard errors).
      assert.ok(Math.abs(std - f.std) < 0.02 * f.std, `std ${std} vs PyTorch's ${f.std}`);
      assert.ok(Math.abs(mean) < (5 * f.std) / Math.sqrt(t.numel), `mean ${mean} is not near 0 (std ${f.std})`);
      // Uniform draws reach their bound: both maxima lie within 1% of it.
      if (f.fn.endsWith("Uniform_")) assert.ok(Math.abs(maxAbs - f.maxAbs) < 0.01 * f.maxAbs, `max |w| ${maxAbs} vs PyTorch's ${f.maxAbs}`);
    });
  });
});
