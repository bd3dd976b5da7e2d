// Entry of a kernel worker thread (started by threads.ts): instantiates the threads build over
// the shared memory, points its GEMM scratch at its own region, and serves kernel parts.

import { instantiateShared, type KernelName } from "./load.js";
import { serveParts, type WorkerData } from "./threads.js";

const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const { workerData } = proc!.getBuiltinModule!("node:worker_threads") as { workerData: WorkerData };
const exports = instantiateShared(workerData.module, workerData.memory);
if (exports instanceof Error) throw exports; // READY never set: the caller's wait times out and threads end
exports.setScratch(workerData.scratch);
serveParts(workerData, exports as unknown as Record<KernelName, (...args: number[]) => void>);
