// What the benchmark measures (issue 5): one table shared by the orchestrator, the Node runners
// and, through the spec it receives as JSON, bench/pytorch_bench.py. Every runner reports seconds
// per iteration; one iteration means the same work in every framework (a batch of 100 for
// training), so a time ratio between two runners needs no unit conversion.

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

/** The printed figure for a measured time per iteration. */
export function figure(w: Workload, secondsPerIter: number): number {
  return w.kind === "latency" ? secondsPerIter * 1000 : w.work / secondsPerIter;
}
