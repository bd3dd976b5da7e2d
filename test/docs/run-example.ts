// Running one documentation example: its TypeScript (with the checks of examples.ts) stripped
// of types by TypeScript and run as the body of an async function whose parameters are the
// scope an example may use: `torch` (import * as torch from "torchlet") and every export of
// torchlet by its own name (nn, F, optim, data, models, io, tensor, Tensor, noGrad, ...).

import assert from "node:assert/strict";
import ts from "typescript";
import * as torch from "../../src/index.js";
import { Tensor } from "../../src/index.js";
import { withChecks, type Example } from "./examples.js";

/** Numbers agree to 4 significant digits (examples print rounded values). */
function close(actual: unknown, expected: unknown): boolean {
  if (typeof actual === "number" && typeof expected === "number") {
    return Object.is(actual, expected) || Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((a, i) => close(a, expected[i]));
  }
  if (actual && expected && typeof actual === "object" && typeof expected === "object") {
    const keys = Object.keys(expected);
    return keys.length === Object.keys(actual).length && keys.every((k) => close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]));
  }
  return Object.is(actual, expected);
}

/** Tensors (also inside arrays, such as a dataset's [image, label]) compare as nested arrays. */
const plain = (v: unknown): unknown => (v instanceof Tensor ? v.toArray() : Array.isArray(v) ? v.map(plain) : v);

/** The assertions the `// =>`, `// shape` and `// throws` lines become. */
export const checks = {
  value(actual: unknown, expected: unknown, label: string): void {
    const got = plain(actual);
    assert.ok(close(got, expected), `${label}\n  got ${JSON.stringify(got)}`);
  },
  shape(actual: unknown, expected: number[], label: string): void {
    assert.ok(actual instanceof Tensor, `${label}\n  got a ${typeof actual}, not a Tensor`);
    assert.deepEqual(actual.shape, expected, label);
  },
  throws(run: () => void, expected: string, label: string): void {
    const [name, ...text] = expected.split(":");
    assert.throws(run, (e: Error) => {
      assert.equal(e.name, name.trim(), `${label}\n  threw ${e.name}: ${e.message}`);
      if (text.length) assert.ok(e.message.includes(text.join(":").trim()), `${label}\n  threw ${e.name}: ${e.message}`);
      return true;
    }, label);
  },
};

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

/** `import * as torch from "torchlet"` and `import { nn } from "torchlet"` read the scope's torchlet. */
function withoutImports(code: string): string {
  return code
    .replace(/^import \* as (\w+) from "torchlet";?$/gm, "const $1 = __torchlet;")
    .replace(/^import \{([^}]*)\} from "torchlet";?$/gm, "const {$1} = __torchlet;");
}

/** Runs an example; `scope` replaces or adds names (the guide's MNIST cut to a few images). */
export async function runExample(example: Example, scope: Record<string, unknown> = {}): Promise<{ checks: number }> {
  const { code, checks: count } = withChecks({ ...example, code: withoutImports(example.code) });
  // A module so that top-level `await` transpiles as written; a block so that an example may
  // declare a scope name again (`const { nn, F } = torch;`, as a user's file does).
  const js = ts.transpileModule(`export {};\n{\n${code}\n}`, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } })
    .outputText.replace(/^export \{\};\n/m, "");
  const names = { ...torch, torch, __check: checks, ...scope } as Record<string, unknown>;
  names.__torchlet = names.torch;
  const run = new AsyncFunction(...Object.keys(names), js);
  await run(...Object.values(names));
  return { checks: count };
}
