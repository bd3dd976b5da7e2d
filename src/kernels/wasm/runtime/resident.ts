// Tensor storage inside the WebAssembly memory ("resident" arrays). Every kernel call stages its
// operands: copies them into the module's memory, and its results out (arena.ts). For a LeNet-5
// training step at batch 100 that is ~26 MB of copies, ~1.5 ms on the calling thread while the
// worker threads wait. An operand that already lives in the module's memory is used where it is.
// So while the "wasm" backend is active, large float32 arrays (core/pool.ts POOL_MIN_LENGTH and
// up) are cut from that memory. Only with the threads build: its memory is shared, and growing a
// shared memory never detaches it, so the views stay valid (the single-thread build's memory is
// a plain ArrayBuffer, which every growth would empty).
// Lifetime: a block is reused only through the storage pool (core/pool.ts recycle), which takes
// arrays the library knows are dead (autograd temporaries, private activations): in a training
// loop these are nearly all the large arrays of a step. An array that dies otherwise keeps its
// block, so the total is capped (maxBytes); past it, arrays come from the JS heap as before.
// NOTE: no FinalizationRegistry or WeakRef to take blocks back: in a synchronous training loop
// neither sees a collected array before the loop yields to the event loop (WeakRef targets stay
// alive until the job ends), and a user's subarray of a collected array would still view a
// block that was handed out again.

import type { Storage } from "../../../core/dtype.js";
import { POOL_MIN_LENGTH, type LargeArraySource } from "../../../core/pool.js";
import type { Arena } from "./arena.js";
import type { WasmMemory } from "./load.js";

/** The default cap on resident bytes (whole chunks count). */
export const RESIDENT_MAX_BYTES = 64 * 2 ** 20;

/** Memory is reserved in chunks of this size (or one block, if larger). */
const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * The most blocks of one length: enough for every layer of a deep network to hold an activation
 * of the same shape at once.
 */
const MAX_BLOCKS_PER_LENGTH = 32;

/** Bytes left after each block: a kernel's last vector may read (never write) past an operand. */
const SLACK_BYTES = 64;

export class ResidentHeap implements LargeArraySource {
  /** Whether take() hands out blocks: set while the "wasm" backend is active (kernels/index.ts). */
  enabled = false;
  private reserved = 0;
  /** The chunk that blocks are cut from: the next free byte and its end. */
  private chunkTop = 0;
  private chunkEnd = 0;
  /** Every SharedArrayBuffer object a block was viewed through (each growth makes a new one). */
  private readonly buffers = new WeakSet<object>();
  /** Floats per block, by the block's byte address. */
  private readonly blocks = new Map<number, number>();
  /** Blocks handed out, by length. */
  private readonly counts = new Map<number, number>();

  /** `zero(at, n)`: zeroes n floats at byte address `at` (the module's zeroF32). */
  constructor(
    private readonly arena: Arena,
    private readonly memory: WasmMemory,
    private readonly zeroAt: (at: number, n: number) => void,
    readonly maxBytes = RESIDENT_MAX_BYTES,
  ) {}

  /**
   * A zeroed array of n floats in the module's memory, or null (disabled, or over the cap).
   * NOTE: between kernel calls only, as every allocation is: a new chunk moves the arena's
   * staging area (Arena.reserve).
   */
  take(n: number): Float32Array | null {
    // NOTE: a length whose blocks never come back through the pool (a leaf gradient replaced every
    // step, a data loader's batch) would fill the cap with dead blocks: past a count, its arrays
    // come from the JS heap.
    const count = this.counts.get(n) ?? 0;
    if (!this.enabled || count >= MAX_BLOCKS_PER_LENGTH) return null;
    const bytes = Math.ceil((4 * n + SLACK_BYTES) / 64) * 64;
    if (this.chunkTop + bytes > this.chunkEnd) {
      // NOTE: whole chunks, not a block at a time: each reservation moves the staging area to
      // memory never touched before, whose pages all fault on first use (~1 ms per 2 MB here).
      const size = Math.max(CHUNK_BYTES, bytes);
      if (this.reserved + size > this.maxBytes) return null;
      const dirty = this.arena.highWater;
      try {
        this.chunkTop = this.arena.reserve(size);
      } catch {
        return null; // the memory cannot grow (4 GiB, or what the engine allows): a JS array instead
      }
      this.chunkEnd = this.chunkTop + size;
      this.reserved += size;
      // Staging may have used the chunk's start; the rest is memory as grown: zero, and left
      // untouched (zeroing it would fault every page now, for blocks that may never be used).
      if (dirty > this.chunkTop) this.zeroAt(this.chunkTop, (Math.min(dirty, this.chunkEnd) - this.chunkTop) / 4);
    }
    this.counts.set(n, count + 1);
    const at = this.chunkTop;
    this.chunkTop += bytes;
    this.blocks.set(at, n);
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer, at, n); // zero: see above
  }

  /** Zeroes a resident array (JavaScript's fill on a shared buffer is ~10x slower). */
  zero(a: Float32Array): void {
    this.zeroAt(a.byteOffset, a.length);
  }

  /** The byte address of a's first element when it lives in this memory, else -1. */
  addressOf(a: Storage): number {
    // The length test first: reading .buffer of a small typed array makes V8 create one.
    return a.length >= POOL_MIN_LENGTH && a instanceof Float32Array && this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** Whether a is one of this heap's blocks, whole. */
  owns(a: Storage): boolean {
    const at = this.addressOf(a);
    return at >= 0 && this.blocks.get(at) === a.length;
  }

  /** Bytes taken from the memory so far (whole chunks). */
  get reservedBytes(): number {
    return this.reserved;
  }
}
