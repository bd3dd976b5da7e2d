// A user's own training loop that checkpoints every few steps and resumes exactly: a tiny conv
// net with dropout on shuffled synthetic data, SGD with momentum or Adam. Used in-process by
// resume.test.ts and, run as a script, as the child process that resume-kill.test.ts kills:
//   node build/test/train/resume-run.js <dir> sgd|adam [--resume] [--slow ms]
// It prints "step <n> <loss>" after each step, "saved <n>" after each checkpoint, "done" at the end.

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { DataLoader, TensorDataset } from "../../src/data/index.js";
import { loadCheckpoint, loadTrainingState, saveCheckpoint } from "../../src/train/checkpoint.js";

const { nn, F } = torch;

export const ITEMS = 60;
export const BATCH = 8; // 8 batches a pass, the last one of 4 items
export const EPOCHS = 3;
export const STEPS = EPOCHS * Math.ceil(ITEMS / BATCH);
export const CHECKPOINT_EVERY = 2;

export interface TinyRun {
  dir: string;
  optimizer: "sgd" | "adam";
  /** Continue from dir's checkpoint instead of starting afresh. */
  resume?: boolean;
  /** Stop (as if killed) right after this step and its checkpoint, if any. */
  stopAfter?: number;
  /** Sleep after each step, so that a killer's signal lands mid-run. */
  slowMs?: number;
  log?: (line: string) => void;
}

export const checkpointPath = (dir: string) => join(dir, "tiny.safetensors");

/** Items (1, 8, 8) of normal noise and labels 0..2, from a generator of their own. */
function tinyData(): TensorDataset {
  const g = new torch.Generator(42);
  const x = Float32Array.from({ length: ITEMS * 64 }, () => g.normal());
  const y = Float32Array.from({ length: ITEMS }, () => g.randint(3));
  return new TensorDataset(new torch.Tensor(x, [ITEMS, 1, 8, 8]), new torch.Tensor(y, [ITEMS]));
}

function tinyNet(): torch.nn.Module {
  return new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(36, 3));
}

/** Runs (or resumes) the loop; returns the step it ended after. */
export function runTiny(o: TinyRun): number {
  const log = o.log ?? (() => {});
  const path = checkpointPath(o.dir);
  torch.manualSeed(0);
  const model = tinyNet();
  const optimizer = o.optimizer === "adam"
    ? new torch.optim.Adam(model.parameters(), { lr: 0.01 })
    : new torch.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const train = new DataLoader(tinyData(), { batchSize: BATCH, shuffle: true });
  let step = 0;
  if (o.resume) {
    const { stateDict, info } = loadCheckpoint(path);
    model.loadStateDict(stateDict);
    const state = loadTrainingState(path, info.epoch);
    if (!state?.run?.rng || !state.run.loader) throw new Error(`resume: no training state belongs to ${path}`);
    optimizer.loadStateDict(state.optimizer);
    torch.setRngState(state.run.rng);
    train.loadStateDict(state.run.loader);
    step = Number(info.step);
  }
  const save = () => {
    const run = { rng: torch.getRngState(), loader: train.stateDict() };
    saveCheckpoint(path, model, { step: String(step), epoch: String(train.epoch) }, optimizer, run);
    log(`saved ${step}`);
  };
  model.train();
  while (train.epoch < EPOCHS) {
    for (const [x, y] of train) {
      optimizer.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
      step++;
      log(`step ${step} ${loss.item()}`);
      if (step % CHECKPOINT_EVERY === 0 || step === STEPS) save();
      if (step === o.stopAfter) return step;
      if (o.slowMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, o.slowMs);
    }
  }
  log("done");
  return step;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, optimizer, ...rest] = process.argv.slice(2);
  const slow = rest.indexOf("--slow");
  runTiny({
    dir,
    optimizer: optimizer as "sgd" | "adam",
    resume: rest.includes("--resume"),
    slowMs: slow >= 0 ? Number(rest[slow + 1]) : 0,
    log: (line) => process.stdout.write(`${line}\n`),
  });
}
