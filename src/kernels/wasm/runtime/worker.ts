// Entry of a kernel worker thread (started by threads.ts): instantiates the threads build over
// the shared memory, points its GEMM scratch at its own region, and serves kernel parts.
// Node passes the data as workerData, a browser as the first message.

import { instantiateShared } from "./load.js";
import type { KernelTable } from "./signatures.js";
import { serveParts, type WorkerData } from "./threads.js";

function start(data: WorkerData): void {
  const exports = instantiateShared(data.module, data.memory);
  if (exports instanceof Error) throw exports; // never ready: the pool keeps its parts on the caller
  exports.setScratch(data.scratch);
  serveParts(data, exports as unknown as KernelTable);
}

const g = globalThis as {
  process?: { getBuiltinModule?: (id: string) => unknown };
  addEventListener?: (type: "message", listener: (e: { data: WorkerData }) => void, options: { once: true }) => void;
};
const wt = g.process?.getBuiltinModule?.("node:worker_threads") as { workerData: WorkerData } | undefined;
if (wt) start(wt.workerData);
else g.addEventListener?.("message", (e) => start(e.data), { once: true });
