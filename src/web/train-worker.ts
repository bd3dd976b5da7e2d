/// <reference lib="dom" />
// The page's training run, in a module Web Worker (started by web/page-training.ts) so that the
// page stays responsive. The page sends the request, its compiled kernels (the threads build
// where the page is cross-origin isolated: this worker then starts kernel workers of its own)
// and a shared stop flag. The worker fetches the MNIST IDX files from the server, runs
// train/run-request.ts (the run the server's worker runs, with the same plans, set-up and loop),
// and posts back its progress, every line of the metrics log and every checkpoint's bytes.

import { getBackend, getNumThreads, useWasmModule } from "../browser.js";
import { IdxImageDataset } from "../data/idx-dataset.js";
import { parseIdx, type IdxArray } from "../data/idx.js";
import { checkpointBytes } from "../train/checkpoint-model.js";
import type { TrainRequest } from "../train/request.js";
import { runRequest, type RunMessage } from "../train/run-request.js";
import type { CompiledKernels } from "./backend.js";

export interface PageRunInput {
  request: TrainRequest;
  /** The page's kernel module; none: the "js" kernels. */
  kernels?: CompiledKernels;
  /** stop[0] = 1 asks the run to stop after its current step (needs shared memory: a cross-origin isolated page). */
  stop?: Int32Array;
}

export type PageRunMessage =
  | RunMessage
  | { type: "kernels"; backend: string; threads: number }
  | { type: "metrics"; line: string }
  /** A checkpoint as `torchlet train` writes it; `info.epoch` says which epoch. */
  | { type: "checkpoint"; bytes: Uint8Array; info: Record<string, string> }
  | { type: "error"; message: string };

/** The metadata's `source` of a run trained in the page. */
export const PAGE_SOURCE = "torchlet serve, in the page";

const scope = globalThis as unknown as {
  postMessage(m: PageRunMessage): void;
  /** A worker's; absent where this module is only imported (Node's tests, for its types and PAGE_SOURCE). */
  addEventListener?(type: "message", listener: (e: MessageEvent<PageRunInput>) => void, options: { once: true }): void;
};

/** One MNIST file from the server (GET /api/mnist/<name>), its first `limit` items when given. */
async function fetchIdx(name: string, limit?: number): Promise<IdxArray> {
  const url = `/api/mnist/${name}${limit === undefined ? "" : `?limit=${limit}`}`;
  const res = await fetch(url);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(`${url}: ${body.error ?? `${res.status} ${res.statusText}`}`);
  }
  return parseIdx(new Uint8Array(await res.arrayBuffer()), url);
}

async function main({ request, kernels, stop }: PageRunInput, post: (m: PageRunMessage) => void): Promise<void> {
  if (kernels) useWasmModule(kernels.module, { shared: kernels.shared });
  post({ type: "kernels", backend: getBackend(), threads: getBackend() === "wasm" && kernels?.shared ? getNumThreads() : 1 });
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    fetchIdx("train-images-idx3-ubyte", request.limit),
    fetchIdx("train-labels-idx1-ubyte", request.limit),
    fetchIdx("t10k-images-idx3-ubyte"),
    fetchIdx("t10k-labels-idx1-ubyte"),
  ]);
  const digits = Array.from({ length: 10 }, (_, d) => String(d));
  runRequest(request, {
    open: (train, o) => (train ? new IdxImageDataset(trainImages, trainLabels, digits, o) : new IdxImageDataset(testImages, testLabels, digits, o)),
    sink: {
      where: "the page",
      metricsLine: (line) => post({ type: "metrics", line }),
      // The optimizer's state stays here: a page run is not resumed.
      saveCheckpoint: (model, info) => post({ type: "checkpoint", bytes: checkpointBytes(model, info), info }),
    },
    shouldStop: () => stop !== undefined && Atomics.load(stop, 0) === 1,
    post,
    source: PAGE_SOURCE,
  });
}

scope.addEventListener?.("message", (e) => {
  main(e.data, (m) => scope.postMessage(m)).catch((err: Error) => scope.postMessage({ type: "error", message: err.message }));
}, { once: true });
