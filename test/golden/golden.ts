// Loading the PyTorch golden files (written by test/golden/generate.py) and comparing with them.
// Tests are compiled to another folder, so the JSON is found from the repository root: the
// nearest ancestor of this file that holds a package.json.

import { AssertionError } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";

/** A tensor in the JSON: flat row-major data, or integers q with value = q * scale. */
export type Encoded = { shape: number[]; data: number[] } | { shape: number[]; scale: number; q: number[] };

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("golden: no package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** One op case of a generate_*.py file: inputs, output, and the gradients of sum(output * R). */
export interface GoldenCase<Args> {
  name: string;
  op: string;
  args: Args;
  inputs: Encoded[];
  output: Encoded;
  R: Encoded | null;
  grads: (Encoded | null)[];
}

export function loadGolden<T>(file: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), "test", "golden", file), "utf8")) as T;
}

export function values(e: Encoded): number[] {
  return "data" in e ? e.data : e.q.map((q) => q * e.scale);
}

/**
 * The tensor. `float32Values` says the JSON holds float32 numbers (9 significant digits): they
 * are then rounded back to float32 exactly, also when building a float64 tensor, so that a
 * float64 run sees PyTorch's exact inputs.
 */
export function toTensor(e: Encoded, dtype: DType = "float32", requiresGrad = false, float32Values = true): Tensor {
  const v = values(e);
  return torch.tensor(float32Values ? v.map(Math.fround) : v, { shape: e.shape, dtype, requiresGrad });
}

export interface Tolerance {
  rtol: number;
  /** Absolute tolerance, as a fraction of the largest |expected| value (at least 1). */
  atol: number;
}

export const F32: Tolerance = { rtol: 1e-4, atol: 1e-5 };
export const F64: Tolerance = { rtol: 1e-7, atol: 1e-9 };

/** Throws naming the worst element when |got - expected| > atol * max(1, max|expected|) + rtol * |expected|. */
export function assertClose(
  what: string,
  got: ArrayLike<number>,
  gotShape: readonly number[],
  expected: Encoded | { shape: number[]; data: ArrayLike<number> },
  tol: Tolerance,
): void {
  const exp = "q" in expected ? values(expected) : expected.data;
  if (gotShape.length !== expected.shape.length || gotShape.some((s, i) => s !== expected.shape[i])) {
    throw new AssertionError({ message: `${what}: shape [${gotShape.join(", ")}], PyTorch gives [${expected.shape.join(", ")}]` });
  }
  if (got.length !== exp.length) throw new AssertionError({ message: `${what}: ${got.length} values, PyTorch gives ${exp.length}` });
  let scale = 1;
  for (let i = 0; i < exp.length; i++) scale = Math.max(scale, Math.abs(exp[i]));
  const atol = tol.atol * scale;
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < exp.length; i++) {
    const err = Math.abs(got[i] - exp[i]);
    const excess = err - (atol + tol.rtol * Math.abs(exp[i]));
    if (excess > 0 || Number.isNaN(got[i])) {
      bad++;
      if (worst < 0 || excess > worstExcess || Number.isNaN(got[i])) [worst, worstExcess] = [i, excess];
    }
  }
  if (bad > 0) {
    throw new AssertionError({
      message: `${what}: ${bad}/${exp.length} values differ from PyTorch; worst at flat index ${worst}: got ${got[worst]}, expected ${exp[worst]} (rtol ${tol.rtol}, atol ${atol})`,
    });
  }
}

export function assertNear(what: string, got: number, expected: number, rtol: number, atol = 0): void {
  if (!(Math.abs(got - expected) <= atol + rtol * Math.abs(expected))) {
    throw new AssertionError({ message: `${what}: got ${got}, PyTorch gives ${expected} (rtol ${rtol}, atol ${atol})` });
  }
}
