// `torchlet eval <checkpoint>`: rebuilds the model a checkpoint was trained as (from its
// metadata, or from its keys for a file written by PyTorch) and reports test accuracy on the
// dataset it was trained on, with the same input pipeline and test batch size as training.

import { DataLoader } from "../../data/dataloader.js";
import { crossEntropy } from "../../ops/softmax.js";
import { checkpointPosition, loadCheckpointModel } from "../../train/checkpoint.js";
import { openDataset } from "../../train/datasets.js";
import { countArgmaxCorrect, evaluate, formatTestLine, type LossFn } from "../../train/loop.js";
import { logregPlan } from "../../train/plans.js";
import { datasetTitle } from "../../train/recipes.js";
import { numberOption, parse, stringOption, UsageError } from "../args.js";

export const EVAL_USAGE = `Usage: torchlet eval <checkpoint.safetensors> [--data-dir dir] [--limit N]

  Evaluates a checkpoint written by 'torchlet train' (or a PyTorch state_dict of the seed's
  LeNet-5 saved as safetensors) on the test set it was trained for (MNIST or Fashion-MNIST,
  resized and normalized as in training) and prints the seed's [Test set] line.
  --limit N   only the first N test images (heavy models)`;

export function evalCommand(argv: string[], out: (s: string) => void = console.log): number {
  const { values, positionals } = parse(argv, { "data-dir": { type: "string" }, limit: { type: "string" } }, EVAL_USAGE);
  if (values.help) {
    out(EVAL_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("eval: expected exactly one checkpoint path", EVAL_USAGE);
  const path = positionals[0];
  const root = stringOption(values, "data-dir");
  const limit = values.limit === undefined ? undefined : numberOption(values, "limit", 0, "int>0", EVAL_USAGE);
  const m = loadCheckpointModel(path);
  const info = m.info;
  const testSet = openDataset(m.dataset, { train: false, root, limit, transform: m.prepare });
  const on = m.dataset === "mnist" ? "" : ` on ${datasetTitle(m.dataset)}`;
  // Logistic regression: the same two digits, labels and per-image batches as its training.
  const logreg = m.kind === "logreg" ? logregPlan(info.loss === "sum-of-squares" ? "sum-of-squares" : "logistic", [m.classes[0], m.classes[1]]) : null;
  const data = logreg ? logreg.select(testSet) : testSet;
  const batchSize = logreg?.testBatchSize ?? (Number(info.testBatchSize ?? 100) || 100);
  const lossFn: LossFn = logreg?.lossFn ?? ((o, y) => crossEntropy(o, y));
  const stats = evaluate(m.model, lossFn, new DataLoader(data, { batchSize }), logreg?.isCorrect ?? countArgmaxCorrect);
  out(`${m.description}${on}${logreg ? "" : checkpointPosition(info)}: ${path}`);
  out(formatTestLine(stats));
  return 0;
}
