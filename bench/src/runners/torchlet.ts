// Runner: torchlet as a user imports it (the built package, dist/), on one backend and thread
// count given in the spec's settings ({ backend: "js" | "wasm", threads: n, 0 = the default }).
// The course rows build torch.models' networks (bench/course_models.py is PyTorch's copy).
//   node bench/build/runners/torchlet.js '<RunnerSpec JSON>'

import { readFileSync } from "node:fs";
import * as torch from "torchlet";
// The kernel table is not part of the public API; the GEMM rows call it directly (issue 5).
import { kernels } from "../../../dist/kernels/index.js";
import { loadBenchData, randomOperand, type BenchData } from "../data.js";
import { Missing, runnerMain, setupTable, type Setup } from "../runner.js";
import { TRAIN_BATCH } from "../workloads.js";

/** Present once the worker-thread pool lands; optional so that the benchmark runs before it. */
type ThreadApi = { setNumThreads?: (n: number) => void; getNumThreads?: () => number };

const { F } = torch;
const PIXELS = 28 * 28;

await runnerMain(async (spec) => {
  const backend = String(spec.settings.backend);
  try {
    torch.setBackend(backend as Parameters<typeof torch.setBackend>[0]);
  } catch (e) {
    throw new Missing(`setBackend("${backend}") failed: ${(e as Error).message}`);
  }
  const api = torch as unknown as ThreadApi;
  const threads = Number(spec.settings.threads ?? 0);
  if (threads > 0) {
    if (!api.setNumThreads) throw new Missing("torch.setNumThreads does not exist in this build");
    api.setNumThreads(threads);
  }
  torch.manualSeed(0);
  // Read on first use: a course row's process (its peak RSS is the row's) never loads MNIST.
  let loaded: BenchData | undefined;
  const bench = () => (loaded ??= loadBenchData());
  const batches = (n: number, d = bench()) =>
    Array.from({ length: d.labels.length / n }, (_, b) => ({
      x: torch.tensor(d.images.subarray(b * n * PIXELS, (b + 1) * n * PIXELS), { shape: [n, 1, 28, 28] }),
      y: torch.tensor(Float32Array.from(d.labels.subarray(b * n, (b + 1) * n)), { shape: [n] }),
    }));

  const train = (c3: "full" | "sparse"): Setup => () => {
    const model = torch.models.lenet5({ c3 });
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const data = batches(TRAIN_BATCH);
    let i = 0;
    return () => {
      const { x, y } = data[i++ % data.length];
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      optimizer.step();
    };
  };
  const infer = (c3: "full" | "sparse", n: number): Setup => () => {
    const model = torch.models.lenet5({ c3 }).eval();
    const data = batches(n).slice(0, 100);
    let i = 0;
    return () => void torch.noGrad(() => model.forward(data[i++ % data.length].x));
  };
  const gemm: Setup = (w) => {
    const { M, N, K } = w.gemm!;
    // Operands as a user's tensors hold them: with the wasm backend, in its memory (kernels/wasm/runtime/resident.ts).
    const A = torch.tensor(randomOperand(M * K, 1)).data as Float32Array;
    const B = torch.tensor(randomOperand(K * N, 2)).data as Float32Array;
    const C = torch.zeros([M * N]).data as Float32Array;
    // `kernels` is a live binding: it is the active backend's table.
    return () => kernels.gemm({ transA: false, transB: false, M, N, K, A, B, C });
  };
  const logreg: Setup = () => {
    const d = bench();
    const model = torch.models.logisticRegression();
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.0255 });
    const n = d.logregLabels.length;
    const xs = Array.from({ length: n }, (_, i) => torch.tensor(d.logregImages.subarray(i * PIXELS, (i + 1) * PIXELS), { shape: [1, PIXELS] }));
    const ys = Array.from({ length: n }, (_, i) => torch.tensor([d.logregLabels[i]]));
    let i = 0;
    return () => {
      const k = i++ % n;
      optimizer.zeroGrad();
      torch.models.logisticLoss(model.forward(xs[k]), ys[k]).backward();
      optimizer.step();
    };
  };

  const course: Setup = (w) => {
    const c = w.course!;
    torch.manualSeed(0);
    const model =
      c.model === "inception-b3"
        ? torch.models.applyInit(new torch.models.InceptionBlock(64, [96, 128], [16, 32], 32), [1, ...c.input])
        : torch.models.buildModel(c.model, c.widthDivisor ? { widthDivisor: c.widthDivisor } : {}).model;
    model.train();
    const x = torch.randn([c.batch, ...c.input]);
    if (!c.optimizer) {
      // forward + backward of a block inside a network: its input's gradient too
      const dy = torch.randn(torch.noGrad(() => model.forward(x)).shape);
      x.requiresGrad_();
      return () => {
        model.zeroGrad();
        x.grad = null;
        model.forward(x).backward(dy);
      };
    }
    const y = torch.tensor(Float32Array.from(torch.rand([c.batch]).data, (u) => Math.floor(u * 10)));
    const { name, lr } = c.optimizer;
    const optimizer = name === "adam" ? new torch.optim.Adam(model.parameters(), { lr }) : new torch.optim.SGD(model.parameters(), { lr });
    return () => {
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      optimizer.step();
    };
  };

  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return {
    version: pkg.version,
    settings: { backend: torch.getBackend(), threads: api.getNumThreads?.() ?? "no thread pool (1)" },
    setups: setupTable({ train, infer, logreg, gemm, course }),
  };
});
