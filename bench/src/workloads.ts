// What the benchmark measures (issues 5 and 14): one table shared by the orchestrator, the Node
// runners and, through the spec it receives as JSON, bench/pytorch_bench.py. Every runner reports
// seconds per iteration; one iteration means the same work in every framework (a batch of 100 for
// LeNet-5's training, one training step of the seed's batch for the course's networks), so a time
// ratio between two runners needs no unit conversion.

export interface Workload {
  id: string;
  label: string;
  /** What the printed figure is: throughput (work per second) or latency (ms per iteration). */
  kind: "throughput" | "latency";
  unit: string;
  /** Work per iteration in `unit`'s numerator: images, steps, or GFLOP. */
  work: number;
  /** GEMM only: C (M,N) = A (M,K) B (K,N). */
  gemm?: { M: number; N: number; K: number };
  /** The least warm-up in seconds, whatever the plan's (see TRAINING_WARMUP_SECONDS). */
  warmupSeconds?: number;
  /** Timed by counting steps, not seconds, for rows whose step takes seconds: `warmup` untimed
   * steps, then the plan's `stepRounds` rounds of one step each (measure.ts planFor). */
  steps?: { warmup: number };
  /** A course network's training step (issue 14): what both runners build from this row alone. */
  course?: CourseStep;
  /** Runs in a runner process of its own, so that the process's peak RSS is this row's. */
  ownProcess?: boolean;
  /** Not timed in the 1-thread settings: a step takes seconds, and on a quiet machine the
   * 2-thread settings are each framework's best (see runsIn). */
  multiThreadOnly?: boolean;
}

/**
 * One training step of a course network on a random batch (the data's values do not change the
 * speed): zero the gradients, forward, cross-entropy against random labels 0..9, backward, the
 * optimizer's step. Both runners build the same layers: torchlet's torch.models (buildModel), and
 * bench/course_models.py written from the same seeds layer for layer.
 */
export interface CourseStep {
  /** A torch.models zoo name (buildModel), or "inception-b3": d2l's first Inception block of b3. */
  model: "modern-lenet" | "improved-lenet" | "d2l-lenet" | "vgg11" | "d2l-resnet18" | "inception-b3";
  widthDivisor?: number;
  /** One image's shape (C, H, W); the batch is (batch, C, H, W). */
  input: [number, number, number];
  batch: number;
  /** null: forward and backward only, no loss and no update; the output's gradient is a fixed
   * random tensor and the input's gradient is computed, as for a block inside a network. */
  optimizer: { name: "adam" | "sgd"; lr: number } | null;
}

export const TRAIN_BATCH = 100;
export const INFER_BATCH = 1000;

/**
 * Training rows warm up this long in every framework: they are what an epoch-long run sees, and
 * they come first in each runner process, inside its first seconds.
 * NOTE: measured here, torchlet's 2-thread training speeds up over the first ~5 s of a process
 * (0.8-s rounds from 0.5 s in: 11,970 14,174 15,654 14,480 17,616 17,498 17,347 18,191 img/s;
 * one thread is flat, so are PyTorch's rounds): with the plan's 0.5 s, the full-C3 row, timed
 * first, measured slower than the sparse-C3 row that does more work (15,436 against 17,477).
 */
export const TRAINING_WARMUP_SECONDS = 3;

const gemm = (M: number, N: number, K: number, why: string): Workload => ({
  id: M === N && N === K ? `gemm-${M}` : `gemm-${M}x${N}x${K}`,
  label: `GEMM (${M},${N},${K}) ${why}`,
  kind: "throughput",
  unit: "GFLOP/s",
  work: (2 * M * N * K) / 1e9,
  gemm: { M, N, K },
});

/** A course row: work = the batch in images; ids "course-..." so that `--only course` selects them. */
const course = (id: string, label: string, step: CourseStep, extra: Partial<Workload> = {}): Workload => ({
  id: `course-${id}`,
  label,
  kind: "throughput",
  unit: "img/s",
  work: step.batch,
  course: step,
  ownProcess: true,
  ...extra,
});

/**
 * NOTE: measured here at 2 threads, a step of VGG-11 / 4 at 224 takes 12-19 s in either framework,
 * ResNet-18 at 96 2-10 s, the Inception block at batch 128 1.5-5 s: they count steps (one or two
 * warm-up steps cover the process's first slow seconds, then one step per round) and the first
 * two skip the 1-thread settings, so that the course rows add about 5 minutes to a full run, not
 * half an hour.
 */
const HEAVY = { steps: { warmup: 1 }, multiThreadOnly: true };

export const WORKLOADS: readonly Workload[] = [
  { id: "train-full", label: "LeNet-5 full C3 training, batch 100", kind: "throughput", unit: "img/s", work: TRAIN_BATCH, warmupSeconds: TRAINING_WARMUP_SECONDS },
  { id: "train-sparse", label: "LeNet-5 sparse C3 training, batch 100", kind: "throughput", unit: "img/s", work: TRAIN_BATCH, warmupSeconds: TRAINING_WARMUP_SECONDS },
  { id: "infer-full", label: "LeNet-5 full C3 inference, batch 1000", kind: "throughput", unit: "img/s", work: INFER_BATCH },
  { id: "infer-sparse", label: "LeNet-5 sparse C3 inference, batch 1000", kind: "throughput", unit: "img/s", work: INFER_BATCH },
  { id: "latency", label: "LeNet-5 full C3 inference, batch 1 latency", kind: "latency", unit: "ms", work: 1 },
  { id: "logreg", label: "Logistic regression 4 vs 9, batch-1 SGD step", kind: "throughput", unit: "steps/s", work: 1 },
  gemm(6, 78400, 25, "C1 fwd"),
  gemm(16, 10000, 150, "C3 fwd"),
  gemm(100, 120, 400, "C5 fwd"),
  gemm(1024, 1024, 1024, ""),
  // The course's networks with the seeds' recipes (issue 14).
  course("modern-lenet", "modern LeNet training, Adam, batch 64, 1x28x28", { model: "modern-lenet", input: [1, 28, 28], batch: 64, optimizer: { name: "adam", lr: 1e-3 } }, { warmupSeconds: TRAINING_WARMUP_SECONDS }),
  // the seed's improved LeNet uses Adam 5e-4 ("lower learning rate for stability")
  course("improved-lenet", "improved LeNet training, Adam, batch 64, 1x28x28", { model: "improved-lenet", input: [1, 28, 28], batch: 64, optimizer: { name: "adam", lr: 5e-4 } }, { warmupSeconds: TRAINING_WARMUP_SECONDS }),
  course("d2l-lenet", "d2l LeNet training (sigmoid, avg pool), SGD, batch 128, 1x28x28", { model: "d2l-lenet", input: [1, 28, 28], batch: 128, optimizer: { name: "sgd", lr: 0.1 } }, { warmupSeconds: TRAINING_WARMUP_SECONDS }),
  course("vgg11", "d2l VGG-11 / 4 training, SGD, batch 128, 1x224x224", { model: "vgg11", widthDivisor: 4, input: [1, 224, 224], batch: 128, optimizer: { name: "sgd", lr: 0.01 } }, HEAVY),
  course("resnet18", "d2l ResNet-18 training, SGD, batch 128, 1x96x96", { model: "d2l-resnet18", input: [1, 96, 96], batch: 128, optimizer: { name: "sgd", lr: 0.01 } }, HEAVY),
  // d2l 8.4's GoogLeNet, b3's first block: Inception(64, (96, 128), (16, 32), 32) on 192 channels,
  // at 28x28 (where b3 sits for 224 inputs), d2l's batch of 128.
  course("inception", "d2l Inception block (b3's first) forward + backward, batch 128, 192x28x28", { model: "inception-b3", input: [192, 28, 28], batch: 128, optimizer: null }, { steps: { warmup: 2 } }),
];

/**
 * The workloads named by `--only` (comma-separated ids or prefixes: "gemm" selects all four GEMMs,
 * "train" both trainings); all of them when `only` is empty. An unknown name is an error.
 */
export function selectWorkloads(only: string[]): Workload[] {
  if (only.length === 0) return [...WORKLOADS];
  for (const name of only)
    if (!WORKLOADS.some((w) => w.id.startsWith(name)))
      throw new RangeError(`bench: unknown workload "${name}" (known: ${WORKLOADS.map((w) => w.id).join(", ")})`);
  return WORKLOADS.filter((w) => only.some((name) => w.id.startsWith(name)));
}

/** A runner setting: which framework, its backend, its thread count (0: the framework's default). */
export interface Setting {
  framework: "torchlet" | "pytorch" | "tfjs";
  backend?: string;
  threads: number;
}

/**
 * Whether a setting times workload `w`. Every setting times the LeNet-5, logistic-regression and
 * GEMM rows as before; the course rows skip TF.js (not written for it: its cpu backend takes
 * seconds per LeNet-5 batch and its wasm backend has no convolution gradients) and torchlet's
 * "js" backend (the reference kernels: the spec and the test oracle, 20-40x slower than "wasm",
 * minutes per VGG step), and the multiThreadOnly rows skip the 1-thread settings.
 */
export function runsIn(w: Workload, s: Setting): boolean {
  if (!w.course) return true;
  if (s.framework === "tfjs" || (s.framework === "torchlet" && s.backend === "js")) return false;
  return !(w.multiThreadOnly && s.threads === 1);
}

/**
 * The runner processes for a list of workloads, in order: the rows that share a process (all of
 * them in one, as they always ran), then one process per ownProcess row. Empty lists are dropped.
 */
export function processBatches(workloads: readonly Workload[]): Workload[][] {
  const shared = workloads.filter((w) => !w.ownProcess);
  const own = workloads.filter((w) => w.ownProcess).map((w) => [w]);
  return shared.length ? [shared, ...own] : own;
}

/** The printed figure for a measured time per iteration. */
export function figure(w: Workload, secondsPerIter: number): number {
  return w.kind === "latency" ? secondsPerIter * 1000 : w.work / secondsPerIter;
}
