// Homework 4, problem 7 (seeds/000, 001, 002): LeNet-5 with tanh and average pooling, C3 as
// the original sparse connection table (6 maps over 3 channels, 9 over 4, 1 over 6) or a full
// Conv2d(6, 16, 5); SGD lr 0.1, batch 100, cross-entropy. The model is torch.models.lenet5
// (src/models/lenet5.ts, written with the seed's layer names); this file follows the seed's
// steps 1-5. Parameters: 60806 (sparse) and 61706 (full), exactly.
// By default the training is a smoke run (the first 2,000 images, 1 epoch, 500 test images);
// the seed's full run (60,000 images, 10 epochs, >= 98.5% on all 10,000 test images) is
// `torchlet run hw4-p7 --limit 60000 --epochs 10` or `torchlet train lenet5` (about 25 minutes).

import * as torch from "../index.js";
import { fit } from "../train/fit.js";
import { countArgmaxCorrect, evaluate, formatTestLine } from "../train/loop.js";
import { Report, type ExampleResult, type RunOptions } from "./report.js";
const { data, models, optim, F } = torch;

const SEED_PARAMS = { sparse: 60806, full: 61706 } as const;
const FULL_RUN_MIN_ACCURACY = 98.5;
// 20 steps of SGD: the loss falls and the accuracy leaves chance level (10%); no more is claimed.
const SMOKE = { limit: 2000, epochs: 1, testLimit: 500, minAccuracy: 15 };

export interface LeNet5Result extends ExampleResult {
  params: { sparse: number; full: number };
  /** Mean loss of the first and of the last tenth of the training steps. */
  lossFirst: number;
  lossLast: number;
  accuracy: number;
}

export function run(options: RunOptions = {}): LeNet5Result {
  const report = new Report("hw4-p7", options);
  torch.manualSeed(options.seed ?? 0);
  const limit = options.limit ?? SMOKE.limit;
  const epochs = options.epochs ?? (options.limit ? 10 : SMOKE.epochs);
  const fullRun = limit >= 60000 && epochs >= 10;

  // Step 1: MNIST.
  const trainDataset = new data.MNIST({ train: true, root: options.dataDir, limit });
  const testDataset = new data.MNIST({ train: false, root: options.dataDir, limit: fullRun ? undefined : SMOKE.testLimit });

  // Steps 2-3: the two LeNet-5s and their parameter counts.
  const params = { sparse: models.lenet5({ c3: "sparse" }).numParameters(), full: models.lenet5({ c3: "full" }).numParameters() };
  report.exact("Total number of trainable parameters, C3 sparse", params.sparse, SEED_PARAMS.sparse);
  report.exact("Total number of trainable parameters, C3 full", params.full, SEED_PARAMS.full);
  report.exact("difference (6x16 - 60 connections) x 25", params.full - params.sparse, (6 * 16 - (3 * 6 + 4 * 9 + 6)) * 25);

  const model = models.lenet5({ c3: "sparse" });
  const lossFunction = (output: torch.Tensor, labels: torch.Tensor) => F.crossEntropy(output, labels);
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-1 });

  // Step 4: train.
  report.say(`training C3 sparse on ${trainDataset.length} images for ${epochs} epoch(s), batch 100, SGD lr 0.1`);
  const trainLoader = new data.DataLoader(trainDataset, { batchSize: 100, shuffle: true });
  const stepLosses: number[] = [];
  fit({
    model, optimizer, lossFn: lossFunction, isCorrect: countArgmaxCorrect, train: trainLoader, epochs,
    onEpochStart: (epoch) => report.say(`${epoch - 1}th epoch starting.`),
    onStep: (_, s) => stepLosses.push(s.loss),
  });
  const tenth = Math.max(1, Math.floor(stepLosses.length / 10));
  const meanOf = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const [lossFirst, lossLast] = [meanOf(stepLosses.slice(0, tenth)), meanOf(stepLosses.slice(-tenth))];

  // Step 5: test.
  const stats = evaluate(model, lossFunction, new data.DataLoader(testDataset, { batchSize: 100 }), countArgmaxCorrect);
  report.say(formatTestLine(stats));
  const accuracy = 100 * stats.accuracy;
  if (fullRun) {
    report.atLeast("accuracy % after the seed's 10 epochs (seed 98.26-98.63%)", accuracy, FULL_RUN_MIN_ACCURACY);
  } else {
    report.exact("smoke run: the training loss falls", lossLast < lossFirst, true);
    report.atLeast(`smoke run: accuracy % on ${testDataset.length} test images`, accuracy, SMOKE.minAccuracy);
    report.say("the seed's full run: torchlet run hw4-p7 --limit 60000 --epochs 10 (or torchlet train lenet5)");
  }
  return { ...report.done(), params, lossFirst, lossLast, accuracy };
}
