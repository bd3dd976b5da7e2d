// Compiles the AssemblyScript kernels (src/kernels/wasm/assembly/) in each folder given on the
// command line (the compiled kernels/wasm folder, dist/kernels/wasm or build/src/kernels/wasm,
// where the loader, runtime/load.js, and the server look for them):
//   kernels.wasm          its own memory: one thread (browsers that are not cross-origin isolated)
//   kernels-threads.wasm  imports a shared memory, so that worker threads run their own instances
//                         over the same operands (Node, cross-origin isolated pages; wasm/runtime/threads.ts)
// The .wasm files are build outputs, never checked in.
// NOTE: no relaxed-SIMD build: f32x4.relaxed_madd does compile to a fused multiply-add here, but
// the GEMM was no faster with it on this machine's AMD EPYC (separate multiply and add pipes;
// 24.1 against 25.3 GFLOP/s at 1024^3 on one thread), and it would need a V8 flag on Node 20.
//   node scripts/build-wasm.mjs dist/kernels/wasm [more/dirs ...]

import asc from "assemblyscript/asc";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: node scripts/build-wasm.mjs <output dir> [more dirs ...]");
  process.exit(2);
}
for (const dir of dirs) mkdirSync(dir, { recursive: true });

const common = [
  "src/kernels/wasm/assembly/index.ts",
  "-O3", "--noAssert", ...(process.env.TORCHLET_WASM_NAMES ? ["--debug"] : []),
  "--runtime", "stub", // no GC: the kernels use raw memory only
  "--enable", "simd",
];
const memories = {
  kernels: ["--initialMemory", "32"], // 2 MiB: the scratch regions (1.5 MiB); the loader grows it for operands
  // 65536 pages = 4 GiB, all wasm32 can address: a shared memory needs a maximum, and reserves
  // address space for it, not memory.
  "kernels-threads": ["--enable", "threads", "--importMemory", "--sharedMemory", "--maximumMemory", "65536"],
};
for (const [name, memory] of Object.entries(memories)) {
  const file = `${name}.wasm`;
  const out = join(dirs[0], file);
  const { error, stderr } = await asc.main([...common, ...memory, "--outFile", out]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${file}: ${error.message}`);
    process.exit(1);
  }
  for (const dir of dirs.slice(1)) copyFileSync(out, join(dir, file));
}
