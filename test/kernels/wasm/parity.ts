// Shared by the tests under test/kernels/wasm/: seeded float32 arrays, an elementwise comparison
// of a WebAssembly kernel's output with the reference kernel's to float32 tolerance, and one bit
// for bit.

import assert, { AssertionError } from "node:assert/strict";
import { Generator } from "../../../src/core/random.js";
import { backendKernels, readyThreads, setNumThreads, setThreadBackoff } from "../../../src/kernels/index.js";

/** Both backends' kernels; throws (failing the test) when the wasm module did not build. */
export const js = backendKernels("js");
export const wasm = backendKernels("wasm");

export function randomF32(n: number, g: Generator): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.uniform(-1, 1);
  return a;
}

/** |got - want| <= tol * (1 + |want|) everywhere, or an error naming the first bad element. */
export function assertAgree(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5): void {
  if (got.length !== want.length) throw new AssertionError({ message: `${label}: length ${got.length} vs ${want.length}` });
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      throw new AssertionError({ message: `${label}: element ${i} of ${want.length}: wasm ${got[i]} vs js ${want[i]} (tol ${tol})` });
    }
  }
}

/** Bit for bit, or an error naming the first difference. */
export function assertSameBits(label: string, got: Float32Array, want: Float32Array): void {
  const [a, b] = [new Int32Array(got.buffer, got.byteOffset, got.length), new Int32Array(want.buffer, want.byteOffset, want.length)];
  assert.equal(a.length, b.length, `${label}: length`);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new AssertionError({ message: `${label}: element ${i}: ${got[i]} vs ${want[i]}` });
}

// NOTE: the kernels stage operands in WebAssembly memory at the same addresses call after call,
// so a thread's part that never ran would leave the previous run's correct values there and go
// unseen. Copying NaNs over the staging area (as the input of a tanh) before each run rules that
// out: its 2M values cover more than twice what any multi-thread test case stages.
const SCRUB = new Float32Array(1 << 21).fill(NaN);
const scrubbed = new Float32Array(SCRUB.length);
export function scrubStaging(): void {
  wasm.tanhForward(SCRUB, scrubbed);
}

/**
 * Sets n threads and waits until n can run: workers start asynchronously, on a first large call
 * (a 256^3 GEMM here). Fails after 15 s. Also turns off the thread backoff (wasm/runtime/backoff.ts), so
 * that a busy machine cannot turn a file's 2-thread runs into 1-thread ones that prove nothing.
 */
export async function startThreads(n: number): Promise<void> {
  setThreadBackoff(false);
  setNumThreads(n);
  const m = 256;
  wasm.gemm({ transA: false, transB: false, M: m, N: m, K: m, A: new Float32Array(m * m), B: new Float32Array(m * m), C: new Float32Array(m * m) });
  for (let i = 0; i < 300 && readyThreads() < n; i++) await new Promise((r) => setTimeout(r, 50));
  if (readyThreads() !== n) throw new AssertionError({ message: `${n} threads did not become ready within 15 s (${readyThreads()} did)` });
}
