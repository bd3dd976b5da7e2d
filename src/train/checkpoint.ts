// Training checkpoints: the model's state dict in safetensors (PyTorch's key names, so the file
// loads in PyTorch), run facts in the header's __metadata__, and in a sidecar file what a run
// needs to continue exactly: the optimizer's state (momentum, Adam moments) as tensors and, when
// given, the run state (random generators, the data loader's position) as JSON in its metadata.
// Both files are written atomically. The sidecar names the SHA-256 of the model file it belongs
// to, and the sidecar it replaces is kept (".prev") until the new model file is in place, so a
// process killed at any moment leaves a model file and a sidecar that belong together.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync } from "node:fs";
import type { RngState } from "../core/random.js";
import type { DataLoaderState } from "../data/dataloader.js";
import { atomicWriteFileSync } from "../io/atomic-write.js";
import { serializeSafetensors } from "../io/safetensors-codec.js";
import { loadWithMetadata } from "../io/safetensors.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Tensor } from "../tensor.js";
import { CHECKPOINT_FORMAT, checkpointBytes, modelFromCheckpoint, type CheckpointModel } from "./checkpoint-model.js";

export { CHECKPOINT_FORMAT };

/** A checkpoint's string metadata (epoch, step, model, ...), stored in the safetensors header. */
export type RunInfo = Record<string, string>;

/** Optimizer.stateDict()'s values: per-parameter buffers and counters. */
export type OptimizerState = Record<string, Float32Array | Float64Array | number>;

/** What besides weights and optimizer state a run needs to continue exactly; JSON-able. */
export interface RunState {
  /** torch.getRngState() when the checkpoint was taken (dropout, init, unseeded shuffling). */
  rng?: RngState;
  /** The training DataLoader's stateDict() (its position and its own generator). */
  loader?: DataLoaderState;
  /** Anything else JSON-able the loop needs (step counters, ...). */
  [key: string]: unknown;
}

export function optimizerStatePath(path: string): string {
  return path.replace(/(\.safetensors)?$/, ".optim.safetensors");
}

/** The sidecar that belonged to the model file before the latest save (not a .safetensors name, so no listing takes it for a checkpoint). */
export function previousSidecarPath(path: string): string {
  return `${optimizerStatePath(path)}.prev`;
}

/**
 * Writes the model (with `info` as metadata) and, when an optimizer or a run state is given, the
 * sidecar. Order: the sidecar's bytes are ready first; the current sidecar becomes ".prev"; the
 * new sidecar is written; the model file last. Each reader below matches a sidecar to the model
 * file by its SHA-256, so whatever moment a crash hits, one of the two sidecars fits.
 * @example
 * const model = models.lenet5();
 * const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * torch.saveCheckpoint("run.safetensors", model, { step: "100" }, optimizer, { rng: torch.getRngState() });
 * torch.loadCheckpoint("run.safetensors").info // => { format: "torchlet-checkpoint-v1", step: "100" }
 * torch.loadTrainingState("run.safetensors")!.run!.rng // => torch.getRngState()
 */
export function saveCheckpoint(path: string, model: Module, info: RunInfo, optimizer?: Optimizer, run?: RunState): void {
  const modelBytes = checkpointBytes(model, info);
  if (optimizer || run) {
    const state: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(optimizer?.stateDict() ?? {})) {
      state[k] = typeof v === "number" ? new Tensor(Float64Array.of(v), []) : new Tensor(v, [v.length]);
    }
    const metadata: RunInfo = { format: CHECKPOINT_FORMAT, epoch: info.epoch ?? "", model_sha256: sha256(modelBytes) };
    if (run) metadata.run_state = JSON.stringify(run);
    const sideBytes = serializeSafetensors(state, metadata); // throws before touching the disk
    const side = optimizerStatePath(path);
    if (existsSync(side)) renameSync(side, previousSidecarPath(path));
    atomicWriteFileSync(side, sideBytes, "save");
  }
  atomicWriteFileSync(path, modelBytes, "save");
}

/** Where in its run a checkpoint was taken, for messages: " after epoch 2", " in epoch 3 after step 40", or "". */
export function checkpointPosition(info: RunInfo): string {
  if (!info.epoch) return "";
  return info.step ? ` in epoch ${Number(info.epoch) + 1} after step ${info.step}` : ` after epoch ${info.epoch}`;
}

/** What loadCheckpoint reads: the tensors and the metadata. */
export interface LoadedCheckpoint {
  /** The tensors by name (for model.loadStateDict). */
  stateDict: Record<string, Tensor>;
  /** The metadata saveCheckpoint wrote (epoch, step, ...). */
  info: RunInfo;
}

/**
 * The model file written by saveCheckpoint (or torch.save): its tensors and its metadata.
 * @throws Error when the file is missing or is not a valid safetensors file.
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const { tensors, metadata } = loadWithMetadata(path);
  return { stateDict: tensors, info: metadata ?? {} };
}

/** The optimizer and run state that saveCheckpoint wrote beside a model file. */
export interface TrainingState {
  /** The optimizer's stateDict(), for optimizer.loadStateDict. */
  optimizer: OptimizerState;
  /** The run state saved with the checkpoint, when one was. */
  run?: RunState;
  /** The sidecar file it came from (the current one, or ".prev" after a crash mid-save). */
  sidecar: string;
}

/**
 * The optimizer and run state that belong to the model file at `path`, or null when no sidecar
 * does (none written, another run's, or a newer one whose model file a crash kept from being
 * written). Sidecars without a model hash (older torchlet) are matched by `epoch` instead.
 */
export function loadTrainingState(path: string, epoch?: string): TrainingState | null {
  let modelHash: string | undefined;
  for (const sidecar of [optimizerStatePath(path), previousSidecarPath(path)]) {
    if (!existsSync(sidecar)) continue;
    const { tensors, metadata } = loadWithMetadata(sidecar);
    const belongs = metadata.model_sha256 !== undefined
      ? metadata.model_sha256 === (modelHash ??= sha256(readFileSync(path)))
      : (metadata.epoch ?? "") === (epoch ?? "");
    if (!belongs) continue;
    const optimizer: OptimizerState = {};
    for (const [k, t] of Object.entries(tensors)) optimizer[k] = t.ndim === 0 ? t.data[0] : t.data;
    return { optimizer, sidecar, ...(metadata.run_state !== undefined && { run: parseRunState(metadata.run_state, sidecar) }) };
  }
  return null;
}

/** The model a checkpoint file holds, rebuilt (train/checkpoint-model.ts). */
export function loadCheckpointModel(path: string): CheckpointModel {
  const { stateDict, info } = loadCheckpoint(path);
  return modelFromCheckpoint(stateDict, info, path);
}

function parseRunState(text: string, sidecar: string): RunState {
  try {
    const run = JSON.parse(text) as unknown;
    if (run !== null && typeof run === "object" && !Array.isArray(run)) return run as RunState;
  } catch { /* reported below */ }
  throw new Error(`load: ${sidecar}: "run_state" is not a JSON object`);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
