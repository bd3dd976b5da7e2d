// GEMM's blocking sizes and the scratch regions that hold its packed blocks and edge tile.
// Every thread needs its own: the module instance of the calling thread uses the region at the
// bottom of the heap; each worker's instance (the same shared memory, its own globals) is
// pointed at a region the JavaScript side reserved for it, with setScratch(). Everything above
// dataBase() belongs to the JavaScript side (operands copied in and out).

export const NR = 8; // columns per micro-kernel: two f32x4
export const KC = 256; // depth of a packed block
export const MC = 120; // rows of a packed A block (a multiple of 4)
export const NC = 1024; // columns of a packed B block
export const TILE_BYTES: usize = 4 * NR * 4; // one 4x8 micro-tile

// @ts-ignore: decorator
@inline function align64(p: usize): usize {
  return (p + 63) & ~(<usize>63);
}

const PACK_A_BYTES: usize = align64(<usize>(MC * KC * 16)); // each element broadcast to an f32x4
const PACK_B_BYTES: usize = align64(<usize>(KC * NC * 4));
const SCRATCH_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + align64(TILE_BYTES);

export let PACK_A: usize = 0;
export let PACK_B: usize = 0;
export let TILE: usize = 0;
setScratch(align64(__heap_base));

/** Points this instance's scratch at `base` (64-byte aligned, scratchBytes() long). */
export function setScratch(base: usize): void {
  PACK_A = base;
  PACK_B = base + PACK_A_BYTES;
  TILE = PACK_B + PACK_B_BYTES;
}

/** The size of one thread's scratch region. */
export function scratchBytes(): usize {
  return SCRATCH_BYTES;
}

/** First byte the caller may use; memory below it must stay untouched. */
export function dataBase(): usize {
  return align64(__heap_base) + SCRATCH_BYTES;
}
