// Copy-in/copy-out staging in the module's memory: each kernel call resets the arena, places
// its operands one after another (16-byte aligned), runs, and copies results back out.
// Operands that already live in the module's memory (resident.ts) are used in place instead,
// unless one that the kernel writes overlaps another operand of the same call: then it is staged
// as before, so that a kernel never reads what it is writing (copies gave every call that).
// The memory only grows, to the largest call seen, so a training loop reaches a steady state.
// Below the staging area sit permanent reservations (worker threads' GEMM scratch, resident
// arrays).

import type { WasmExports } from "./signatures.js";
import type { ResidentHeap } from "./resident.js";

export class Arena {
  private base: number;
  private top: number;
  /** A view over the whole memory; rebuilt after each growth (growing detaches the old buffer). */
  f32: Float32Array;
  /** The same memory as i32 (geometry records, argmax indices); rebuilt with f32. */
  i32: Int32Array;
  /** The highest byte any placement reached: above it the memory is as grown, all zeros. */
  highWater = 0;
  /** Where resident arrays come from (threads build only; set by the context). */
  resident: ResidentHeap | null = null;
  /** The resident operands of the current call, flat: start and end byte, 1 if written. */
  private readonly placed: number[] = [];

  constructor(private readonly wasm: WasmExports) {
    this.base = this.top = wasm.dataBase();
    this.f32 = new Float32Array(wasm.memory.buffer);
    this.i32 = new Int32Array(wasm.memory.buffer);
    this.alloc(0); // the module's own scratch lies below dataBase(): make sure memory covers it
  }

  /** Forget all placements of the previous call. */
  reset(): void {
    this.top = this.base;
    this.placed.length = 0;
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

  /** The address the next reserve() will return. */
  nextReservation(): number {
    return alignUp(this.base, 64);
  }

  /** Room for n float32 values; returns its byte address. */
  alloc(n: number): number {
    const at = this.top;
    this.top = alignUp(at + n * 4, 16);
    if (this.top > this.highWater) this.highWater = this.top;
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
      this.i32 = new Int32Array(this.wasm.memory.buffer);
    }
    return at;
  }

  /** An input, src[offset, offset+n): its byte address in place, or that of a copy. */
  put(src: Float32Array, offset: number, n: number): number {
    const at = this.inPlace(src, offset, n, false);
    return at >= 0 ? at : this.copyIn(src, offset, n);
  }

  /** Room for a result bound for dst[offset, offset+n): dst itself where it may be written in place. */
  output(dst: Float32Array, offset: number, n: number): number {
    const at = this.inPlace(dst, offset, n, true);
    return at >= 0 ? at : this.alloc(n);
  }

  /** An operand the kernel reads and writes (a result it adds to): in place, or a copy. */
  inout(src: Float32Array, offset: number, n: number): number {
    const at = this.inPlace(src, offset, n, true);
    return at >= 0 ? at : this.copyIn(src, offset, n);
  }

  /**
   * Room for an elementwise result bound for dst, which is also an input the kernel reads at the
   * same index, placed at `at` by put(): `at` itself (a kernel may write each value over the one
   * it has just read), unless dst is in place there and another operand of the call overlaps it.
   */
  over(dst: Float32Array, at: number, n: number): number {
    const home = this.resident === null ? -1 : this.resident.addressOf(dst);
    if (home !== at) return at; // a copy: this call's own
    const [end, p] = [at + 4 * n, this.placed];
    for (let i = 0; i < p.length; i += 3) if (!(p[i] === at && p[i + 1] === end) && at < p[i + 1] && p[i] < end) return this.alloc(n);
    p.push(at, end, 1);
    return at;
  }

  /** Copies n values at byte address `at` out to dst[offset...], unless that is where they are. */
  get(at: number, n: number, dst: Float32Array, offset: number): void {
    const home = this.resident === null ? -1 : this.resident.addressOf(dst);
    if (home >= 0 && home + 4 * offset === at) return;
    dst.set(this.f32.subarray(at / 4, at / 4 + n), offset);
  }

  private copyIn(src: Float32Array, offset: number, n: number): number {
    const at = this.alloc(n);
    this.f32.set(src.subarray(offset, offset + n), at / 4);
    return at;
  }

  /**
   * The byte address of a[offset, offset+n) to use in place, or -1: not resident, or it overlaps
   * another resident operand of this call and one of the two is written.
   */
  private inPlace(a: Float32Array, offset: number, n: number, writes: boolean): number {
    const home = this.resident === null ? -1 : this.resident.addressOf(a);
    if (home < 0) return -1;
    const start = home + 4 * offset;
    const end = start + 4 * n;
    const p = this.placed;
    for (let i = 0; i < p.length; i += 3) if ((writes || p[i + 2] === 1) && start < p[i + 1] && p[i] < end) return -1;
    p.push(start, end, writes ? 1 : 0);
    return start;
  }
}

/** x rounded up to a multiple of `to` (a power of two). NOTE: no bitwise operators: addresses
 *  reach 4 GiB, past the int32 range that JavaScript's bitwise operators work in. */
function alignUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
