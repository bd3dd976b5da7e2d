// Copy-in/copy-out staging in the module's memory: each kernel call resets the arena, places
// its operands one after another (16-byte aligned), runs, and copies results back out.
// The memory only grows, to the largest call seen, so a training loop reaches a steady state.
// Below the staging area sit permanent reservations (worker threads' GEMM scratch).

import type { WasmExports } from "./load.js";

export class Arena {
  private base: number;
  private top: number;
  /** A view over the whole memory; rebuilt after each growth (growing detaches the old buffer). */
  f32: Float32Array;

  constructor(private readonly wasm: WasmExports) {
    this.base = this.top = wasm.dataBase();
    this.f32 = new Float32Array(wasm.memory.buffer);
    this.alloc(0); // the module's own scratch lies below dataBase(): make sure memory covers it
  }

  /** Forget all placements of the previous call. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * Permanent room for `bytes` (64-byte aligned), below the staging area. Only between calls:
   * it moves the staging area (so WasmContext.threads(), which may start a worker, runs before
   * a call's reset(), and threadsNow() never starts one).
   */
  reserve(bytes: number): number {
    this.base = alignUp(this.base, 64);
    const at = this.base;
    this.top = this.base = at + bytes;
    this.alloc(0);
    return at;
  }

  /** Room for n float32 values; returns its byte address. */
  alloc(n: number): number {
    const at = this.top;
    this.top = alignUp(at + n * 4, 16);
    const have = this.wasm.memory.buffer.byteLength;
    if (this.top > have) {
      try {
        this.wasm.memory.grow(Math.ceil((this.top - have) / 65536));
      } catch {
        const need = Math.ceil(this.top / 2 ** 20);
        this.top = at;
        throw new RangeError(
          `wasm kernels: this call needs ${need} MiB of WebAssembly memory (operands and scratch), more than it can grow to ` +
            `(4 GiB, less what this machine allows); use a smaller batch, or torch.setBackend("js")`,
        );
      }
      this.f32 = new Float32Array(this.wasm.memory.buffer);
    }
    return at;
  }

  /** Copies src[offset, offset+n) in; returns its byte address. */
  put(src: Float32Array, offset: number, n: number): number {
    const at = this.alloc(n);
    this.f32.set(src.subarray(offset, offset + n), at / 4);
    return at;
  }

  /** Copies n values at byte address `at` out to dst[offset...]. */
  get(at: number, n: number, dst: Float32Array, offset: number): void {
    dst.set(this.f32.subarray(at / 4, at / 4 + n), offset);
  }
}

/** x rounded up to a multiple of `to` (a power of two). NOTE: no bitwise operators: addresses
 *  reach 4 GiB, past the int32 range that JavaScript's bitwise operators work in. */
function alignUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
