// Runner: TF.js 4.x without its native binding, on its pure-JS "cpu" backend or its "wasm"
// backend (settings: { backend: "cpu" | "wasm" }). LeNet-5 is written with the same layers as
// torchlet's and the seed's (tanh, average pooling, sparse C3 as 16 small convolutions on
// channel subsets + concat), in TF.js's NHWC layout, and trained with tf.train.sgd(0.1).
// NOTE: both backends execute each op eagerly and synchronously, so a step is complete when
// its call returns; nothing needs to be read back to time it.
//   node bench/build/runners/tfjs.js '<RunnerSpec JSON>'

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { models } from "torchlet";
import { loadBenchData, randomOperand } from "../data.js";
import { Unsupported } from "../measure.js";
import { Missing, runnerMain, setupTable, type Setup } from "../runner.js";
import { TRAIN_BATCH } from "../workloads.js";

type Tf = typeof TF;
const PIXELS = 28 * 28;

await runnerMain(async (spec) => {
  const backend = String(spec.settings.backend);
  const tf = await importPeer<Tf>("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await importPeer<typeof import("@tensorflow/tfjs-backend-wasm")>("@tensorflow/tfjs-backend-wasm");
    // The .wasm files ship in the package's dist/ folder; Node reads them from disk.
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(join(dirname(main), "/"));
  }
  if (!(await tf.setBackend(backend))) throw new Missing(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  const d = loadBenchData();
  const batches = (n: number) =>
    Array.from({ length: d.labels.length / n }, (_, b) => ({
      x: tf.tensor4d(d.images.subarray(b * n * PIXELS, (b + 1) * n * PIXELS), [n, 28, 28, 1]),
      y: tf.oneHot(tf.tensor1d(d.labels.subarray(b * n, (b + 1) * n), "int32"), 10),
    }));

  const train = (c3: "full" | "sparse"): Setup => () => {
    const net = lenet5(tf, c3);
    const optimizer = tf.train.sgd(0.1);
    const data = batches(TRAIN_BATCH);
    let i = 0;
    return () => {
      const { x, y } = data[i++ % data.length];
      try {
        tf.tidy(() => void optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, net(x)) as TF.Scalar, false));
      } catch (e) {
        // The wasm backend has no convolution gradients: reported with TF.js's own message.
        if (/not registered/.test((e as Error).message)) throw new Unsupported((e as Error).message);
        throw e;
      }
    };
  };
  const infer = (c3: "full" | "sparse", n: number): Setup => () => {
    const net = lenet5(tf, c3);
    const data = batches(n).slice(0, 100);
    let i = 0;
    return () => tf.tidy(() => void net(data[i++ % data.length].x));
  };
  const logreg: Setup = () => {
    const w = tf.variable(tf.zeros([PIXELS, 1]));
    const optimizer = tf.train.sgd(0.0255);
    const n = d.logregLabels.length;
    const xs = Array.from({ length: n }, (_, i) => tf.tensor2d(d.logregImages.subarray(i * PIXELS, (i + 1) * PIXELS), [1, PIXELS]));
    const ys = Array.from({ length: n }, (_, i) => tf.scalar(d.logregLabels[i]));
    let i = 0;
    return () => {
      const k = i++ % n;
      // The homework's logistic loss -logsigmoid(y z), written as softplus(-y z).
      // NOTE: tf.neg(tf.logSigmoid(..)) fails in backward in TF.js 4.22 ("Cannot read properties
      // of undefined (reading 'backend')"); the two are equal, and the softplus form is one op fewer.
      tf.tidy(() => void optimizer.minimize(() => tf.mean(tf.softplus(tf.neg(tf.mul(ys[k], tf.matMul(xs[k], w))))) as TF.Scalar, false));
    };
  };
  const gemm: Setup = (w) => {
    const { M, N, K } = w.gemm!;
    const a = tf.tensor2d(randomOperand(M * K, 1), [M, K]);
    const b = tf.tensor2d(randomOperand(K * N, 2), [K, N]);
    return () => tf.matMul(a, b).dispose();
  };
  // The orchestrator never sends the course rows here (workloads.ts runsIn).
  const course: Setup = () => {
    throw new Unsupported("the course's networks are not written for TF.js");
  };

  const env = tf.env();
  const flag = (name: string) => (env.getFlags()[name] === undefined ? "n/a" : String(env.get(name)));
  const settings: Record<string, string> = { backend };
  if (backend === "wasm") Object.assign(settings, { simd: flag("WASM_HAS_SIMD_SUPPORT"), multithread: flag("WASM_HAS_MULTITHREAD_SUPPORT") });
  return {
    version: tf.version.tfjs,
    settings,
    setups: setupTable({ train, infer, logreg, gemm, course }),
  };
});

async function importPeer<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    throw new Missing(`${name} is not installed (${(e as Error).message.split("\n")[0]}); npm install --save-dev ${name}`);
  }
}

/** LeNet-5's forward pass over fresh variables: x (N,28,28,1) -> logits (N,10). */
function lenet5(tf: Tf, c3: "full" | "sparse"): (x: TF.Tensor4D) => TF.Tensor2D {
  // Uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)) like PyTorch's default; the values do not affect the speed.
  const param = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), "float32", 0));
  const c1 = { w: param([5, 5, 1, 6], 25), b: param([6], 25) };
  const subsets = [...models.C3_TABLE.ch_in_3, ...models.C3_TABLE.ch_in_4, [0, 1, 2, 3, 4, 5]];
  const c3s =
    c3 === "full"
      ? [{ channels: null, w: param([5, 5, 6, 16], 150), b: param([16], 150) }]
      : subsets.map((s) => ({ channels: tf.tensor1d([...s], "int32"), w: param([5, 5, s.length, 1], 25 * s.length), b: param([1], 25 * s.length) }));
  const fc = (i: number, o: number) => ({ w: param([i, o], i), b: param([o], i) });
  const c5 = fc(400, 120);
  const f6 = fc(120, 84);
  const f7 = fc(84, 10);
  const conv = (x: TF.Tensor4D, p: { w: TF.Variable; b: TF.Variable }, pad: "same" | "valid") => tf.add(tf.conv2d(x, p.w as TF.Tensor4D, 1, pad), p.b) as TF.Tensor4D;
  const pool = (x: TF.Tensor4D) => tf.tanh(tf.avgPool(x, 2, 2, "valid"));
  const dense = (x: TF.Tensor2D, p: { w: TF.Variable; b: TF.Variable }) => tf.add(tf.matMul(x, p.w), p.b) as TF.Tensor2D;
  return (x) => {
    let h = pool(tf.tanh(conv(x, c1, "same"))); // (N,14,14,6)
    const maps = c3s.map((p) => conv(p.channels ? tf.gather(h, p.channels, 3) : h, p, "valid"));
    h = pool(tf.tanh(maps.length === 1 ? maps[0] : tf.concat(maps, 3))); // (N,5,5,16)
    const flat = tf.reshape(h, [-1, 400]) as TF.Tensor2D;
    return dense(tf.tanh(dense(tf.tanh(dense(flat, c5)), f6)), f7);
  };
}
