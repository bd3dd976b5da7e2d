// Training checkpoints: the model's state dict in safetensors (PyTorch's key names, so the file
// loads in PyTorch), run facts in the header's __metadata__, and the optimizer's state (momentum,
// Adam moments) in a sidecar file so that --resume continues exactly. Both written atomically.

import { existsSync } from "node:fs";
import { loadWithMetadata, save } from "../io/safetensors.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Tensor } from "../tensor.js";
import { modelFromCheckpoint, type CheckpointModel } from "./checkpoint-model.js";

export const CHECKPOINT_FORMAT = "torchlet-checkpoint-v1";

export type RunInfo = Record<string, string>;

export function optimizerStatePath(path: string): string {
  return path.replace(/(\.safetensors)?$/, ".optim.safetensors");
}

export function saveCheckpoint(path: string, model: Module, info: RunInfo, optimizer?: Optimizer): void {
  if (optimizer) {
    const state: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(optimizer.stateDict())) {
      state[k] = typeof v === "number" ? new Tensor(Float64Array.of(v), []) : new Tensor(v, [v.length]);
    }
    // The sidecar first: a crash between the two writes leaves the older model with newer state
    // only in the sidecar, which --resume detects by its epoch.
    save(state, optimizerStatePath(path), { format: CHECKPOINT_FORMAT, epoch: info.epoch ?? "" });
  }
  save(model, path, { format: CHECKPOINT_FORMAT, ...info });
}

export interface LoadedCheckpoint {
  stateDict: Record<string, Tensor>;
  info: RunInfo;
}

export function loadCheckpoint(path: string): LoadedCheckpoint {
  const { tensors, metadata } = loadWithMetadata(path);
  return { stateDict: tensors, info: metadata ?? {} };
}

/** The model a checkpoint file holds, rebuilt (train/checkpoint-model.ts). */
export function loadCheckpointModel(path: string): CheckpointModel {
  const { stateDict, info } = loadCheckpoint(path);
  return modelFromCheckpoint(stateDict, info, path);
}

/** Restores optimizer state from the sidecar when it exists and belongs to the same epoch. */
export function loadOptimizerState(path: string, optimizer: Optimizer, epoch: string | undefined): boolean {
  const side = optimizerStatePath(path);
  if (!existsSync(side)) return false;
  const { tensors, metadata } = loadWithMetadata(side);
  if ((metadata?.epoch ?? "") !== (epoch ?? "")) return false;
  const state: Record<string, Float32Array | Float64Array | number> = {};
  for (const [k, t] of Object.entries(tensors)) state[k] = t.ndim === 0 ? t.data[0] : t.data;
  optimizer.loadStateDict(state);
  return true;
}
