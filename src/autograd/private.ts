// Private activations: results that the library knows no one but its own layers will ever read,
// so their memory can go back to the storage pool (core/pool.ts) as soon as the last reader is
// done, instead of being left to the GC. In a training step the forward pass's activations are
// most of the large arrays (ResNet-18 at batch 128: ~0.5 GB a step); recycled, the next step's
// forward reuses them, which keeps them in the WebAssembly memory where the kernels read and
// write them in place (kernels/wasm/runtime/resident.ts) and spares fresh pages their faults.
//
// Who may mark: a container or model that made `t` with one of the library's layers (a fresh
// array, held by no one) and hands it to library layers only (nn/layers.ts consumesPrivately),
// which read it while computing their own output (never a view of it) and in their own backward.
// When: with a graph, t's readers' backward functions all run before its producer's (the engine
// goes from the loss back), so the array is dead when its producer's node is released (autograd/
// node.ts). Without a graph (inference, torch.noGrad), it is dead once its reader has returned:
// the container calls `consumed`. A retained graph keeps everything (release comes later, or never).

import { issueCount, POOL_MIN_LENGTH, recycleIfUnchanged } from "../core/pool.js";
import type { Tensor } from "../tensor.js";

/** Private results made without a graph, waiting for their reader: array and pool stamp. */
const waiting = new WeakMap<Tensor, number>();

/** Marks t, a fresh result of a library layer that only library layers will read, as private. */
export function markPrivate(t: Tensor): Tensor {
  if (t.data.length < POOL_MIN_LENGTH) return t;
  const stamp = issueCount(t.data);
  if (t.gradFn !== null) t.gradFn.recycleAtRelease(t.data, stamp);
  else waiting.set(t, stamp);
  return t;
}

/**
 * Tells that the reader of `t` has run and given `out`: a private t made without a graph goes
 * back to the pool now, or when out's node is released if the reader recorded one (its weights
 * need a gradient: the node keeps t for it).
 */
export function consumed(t: Tensor, out: Tensor): void {
  const stamp = waiting.get(t);
  if (stamp === undefined) return;
  waiting.delete(t);
  if (out.gradFn !== null) out.gradFn.recycleAtRelease(t.data, stamp);
  else recycleIfUnchanged(t.data, stamp);
}
