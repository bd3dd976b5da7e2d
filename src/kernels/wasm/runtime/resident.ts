// Tensor storage inside the WebAssembly memory ("resident" arrays). Every kernel call stages its
// operands: copies them into the module's memory, and its results out (arena.ts). For a LeNet-5
// training step at batch 100 that is ~26 MB of copies, ~1.5 ms on the calling thread while the
// worker threads wait; for ResNet-18 at batch 128, ~4 GB. An operand that already lives in the
// module's memory is used where it is. So while the "wasm" backend is active, large float32
// arrays (core/pool.ts POOL_MIN_LENGTH and up) are cut from that memory. Only with the threads
// build: its memory is shared, and growing a shared memory never detaches it, so the views stay
// valid (the single-thread build's memory is a plain ArrayBuffer, which every growth would empty).
//
// Lifetime: a block is given back only through the storage pool (core/pool.ts recycle), which
// takes arrays the library knows are dead (autograd temporaries, private activations: autograd/
// private.ts): in a training loop of the library's layers these are nearly all the large arrays
// of a step. An array that dies otherwise keeps its block, so the total is capped; past the cap,
// arrays come from the JS heap, and every kernel call copies them in and out.
//
// Allocation: best fit over the free blocks, splitting the rest off and merging neighbours when a
// block comes back, as PyTorch's caching allocator does. NOTE: why not blocks pooled by exact
// length: in a backward pass each layer's gradient is made while that layer's activation (the same
// length) is still alive, and the blocks already free are the deeper layers' (other lengths), so
// exact-length pools held every length twice (VGG-11 / 4 at batch 128: 2.4 GB for 1.2 GB of
// activations). Freed neighbours merge into blocks that fit the shallower layers' gradients.
//
// Size: the cap grows with the network. It starts at `baseBytes` and is twice the bytes of the
// arrays that have come back through the pool (each block address or JS array counted once), up
// to `ceilingBytes`: a training step whose activations and gradients are all recycled is held
// whole after a few steps, while a loop whose arrays are never given back (a user's own layers)
// stays near the base instead of filling memory with dead blocks.
// NOTE: no FinalizationRegistry or WeakRef to take blocks back: in a synchronous training loop
// neither sees a collected array before the loop yields to the event loop (WeakRef targets stay
// alive until the job ends), and a user's subarray of a collected array would still view a
// block that was handed out again.

import type { Storage } from "../../../core/dtype.js";
import { POOL_MIN_LENGTH, type LargeArraySource } from "../../../core/pool.js";
import type { Arena } from "./arena.js";
import type { WasmMemory } from "./load.js";

/** The cap on resident bytes (whole chunks count) before any array has come back. */
export const RESIDENT_BASE_BYTES = 64 * 2 ** 20;
/**
 * The most resident bytes, however much comes back: room is left below wasm32's 4 GiB for the
 * staging area of the largest call (im2col buffers, copies of JS-heap operands).
 */
export const RESIDENT_CEILING_BYTES = 2.5 * 2 ** 30;

/** Memory is reserved in chunks of this size (or what a block needs, if larger). */
const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * The most live blocks of one length: enough for every layer of a deep network to hold an
 * activation of the same shape at once; a length whose blocks never come back (a leaf gradient
 * replaced every step, a data loader's batch) stops being served past it.
 */
const MAX_BLOCKS_PER_LENGTH = 32;

/** Bytes left after each block: a kernel's last vector may read (never write) past an operand. */
const SLACK_BYTES = 64;

/** A free block's rest is split off only from this size: smaller rests stay with the block. */
const MIN_SPLIT_BYTES = 64 * 1024;

export class ResidentHeap implements LargeArraySource {
  /** Whether take() hands out blocks: set while the "wasm" backend is active (kernels/index.ts). */
  enabled = false;
  private reserved = 0;
  /** Free blocks, by address: starts and sizes in bytes, sorted by start, never adjacent. */
  private readonly freeAt: number[] = [];
  private readonly freeBytes: number[] = [];
  /** Every SharedArrayBuffer object a block was viewed through (each growth makes a new one). */
  private readonly buffers = new WeakSet<object>();
  /** The live blocks: the array handed out and the block's bytes, by address. */
  private readonly live = new Map<number, { array: Float32Array; bytes: number }>();
  /** Live blocks, by length. */
  private readonly counts = new Map<number, number>();
  /** The block addresses that have come back at least once, and the bytes counted for them. */
  private readonly reused = new Set<number>();
  private readonly reusedElsewhere = new WeakSet<Float32Array>();
  private reusedBytes = 0;

  /** `zero(at, n)`: zeroes n floats at byte address `at` (the module's zeroF32). */
  constructor(
    private readonly arena: Arena,
    private readonly memory: WasmMemory,
    private readonly zeroAt: (at: number, n: number) => void,
    readonly baseBytes = RESIDENT_BASE_BYTES,
    readonly ceilingBytes = RESIDENT_CEILING_BYTES,
  ) {}

  /** The cap now: see the top of this file. */
  get maxBytes(): number {
    return Math.min(this.ceilingBytes, Math.max(this.baseBytes, 2 * this.reusedBytes));
  }

  /**
   * A zeroed array of n floats in the module's memory, or null (disabled, or over the cap).
   * NOTE: between kernel calls only, as every allocation is: a new chunk moves the arena's
   * staging area (Arena.reserve).
   */
  take(n: number): Float32Array | null {
    if (!this.enabled || (this.counts.get(n) ?? 0) >= MAX_BLOCKS_PER_LENGTH) return null;
    const bytes = blockBytes(n);
    let k = this.bestFit(bytes);
    if (k < 0) k = this.grow(bytes); // checks the cap
    if (k < 0) return null;
    const at = this.freeAt[k];
    const rest = this.freeBytes[k] - bytes;
    const size = rest >= MIN_SPLIT_BYTES ? bytes : this.freeBytes[k];
    if (size === this.freeBytes[k]) {
      this.freeAt.splice(k, 1);
      this.freeBytes.splice(k, 1);
    } else {
      this.freeAt[k] += size;
      this.freeBytes[k] -= size;
    }
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    const array = new Float32Array(buffer, at, n);
    // Memory as grown is zero, but staging or an earlier block may have written this one.
    this.zeroAt(at, n);
    this.live.set(at, { array, bytes: size });
    this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
    return array;
  }

  /** Whether take(n) would give a block now. */
  wouldTake(n: number): boolean {
    if (!this.enabled || (this.counts.get(n) ?? 0) >= MAX_BLOCKS_PER_LENGTH) return false;
    const bytes = blockBytes(n);
    return this.bestFit(bytes) >= 0 || this.reserved + Math.max(CHUNK_BYTES, bytes) <= this.maxBytes;
  }

  /** Whether a is a live block of this heap, the very array take() gave (not a view of it). */
  owns(a: Storage): boolean {
    return a.length >= POOL_MIN_LENGTH && this.live.get(a.byteOffset)?.array === a;
  }

  /** Takes back a block whose array (owns(a)) is dead: its memory serves the next take(). */
  giveBack(a: Float32Array): void {
    const block = this.live.get(a.byteOffset);
    if (block === undefined || block.array !== a) return;
    this.live.delete(a.byteOffset);
    this.counts.set(a.length, this.counts.get(a.length)! - 1);
    this.noteReuse(a.byteOffset, block.bytes);
    this.insertFree(a.byteOffset, block.bytes);
  }

  /**
   * A JS array came back through the pool: memory of its size is being reused (counted toward
   * the cap once per array: one that the cap kept out of this memory).
   */
  returned(a: Float32Array): void {
    if (this.reusedElsewhere.has(a)) return;
    this.reusedElsewhere.add(a);
    this.reusedBytes += blockBytes(a.length);
  }

  /** The byte address of a's first element when it lives in this memory, else -1. */
  addressOf(a: Storage): number {
    // The length test first: reading .buffer of a small typed array makes V8 create one.
    return a.length >= POOL_MIN_LENGTH && a instanceof Float32Array && this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** Bytes taken from the memory so far (whole chunks). */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Bytes of the free blocks (taken from the memory, not handed out now). */
  get freeByteCount(): number {
    return this.freeBytes.reduce((s, b) => s + b, 0);
  }

  private noteReuse(at: number, bytes: number): void {
    if (this.reused.has(at)) return;
    this.reused.add(at);
    this.reusedBytes += bytes;
  }

  /** The index of the smallest free block of at least `bytes`, or -1. */
  private bestFit(bytes: number): number {
    let best = -1;
    for (let k = 0; k < this.freeBytes.length; k++) {
      if (this.freeBytes[k] >= bytes && (best < 0 || this.freeBytes[k] < this.freeBytes[best])) best = k;
    }
    return best;
  }

  /**
   * Reserves memory for a block of `bytes` (whole chunks: each reservation moves the staging area
   * to memory never touched before, whose pages all fault on first use, ~1 ms per 2 MB here);
   * returns the index of the free block that now fits it, or -1 (over the cap, or the memory
   * cannot grow). A free block that ends where the new memory starts only needs the difference.
   */
  private grow(bytes: number): number {
    const last = this.freeAt.length - 1;
    const lastEnd = last >= 0 ? this.freeAt[last] + this.freeBytes[last] : -1;
    const next = this.arena.nextReservation();
    const have = lastEnd === next ? this.freeBytes[last] : 0;
    const size = Math.max(CHUNK_BYTES, bytes - have);
    if (this.reserved + size > this.maxBytes) return -1;
    let at: number;
    try {
      at = this.arena.reserve(size);
    } catch {
      return -1; // the memory cannot grow (4 GiB, or what the engine allows): a JS array instead
    }
    this.reserved += size;
    const k = this.insertFree(at, size);
    return this.freeBytes[k] >= bytes ? k : this.grow(bytes);
  }

  /** Adds [at, at + bytes) to the free blocks, merged with its neighbours; returns its index. */
  private insertFree(at: number, bytes: number): number {
    const [starts, sizes] = [this.freeAt, this.freeBytes];
    let k = 0;
    let hi = starts.length;
    while (k < hi) {
      const mid = (k + hi) >> 1;
      if (starts[mid] < at) k = mid + 1;
      else hi = mid;
    }
    if (k > 0 && starts[k - 1] + sizes[k - 1] === at) {
      k--;
      sizes[k] += bytes;
    } else {
      starts.splice(k, 0, at);
      sizes.splice(k, 0, bytes);
    }
    if (k + 1 < starts.length && starts[k] + sizes[k] === starts[k + 1]) {
      sizes[k] += sizes[k + 1];
      starts.splice(k + 1, 1);
      sizes.splice(k + 1, 1);
    }
    return k;
  }
}

/** Bytes a block of n floats takes, its slack included, 64-byte aligned. */
function blockBytes(n: number): number {
  return Math.ceil((4 * n + SLACK_BYTES) / 64) * 64;
}
