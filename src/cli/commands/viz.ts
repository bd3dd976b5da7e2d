// `torchlet viz kernels | activations | mistakes <checkpoint>`: pictures of what a trained model
// learned, as PNG files next to the checkpoint (or in --out); prints the paths it wrote.

import { basename, dirname, join } from "node:path";
import { noGrad } from "../../autograd/grad-mode.js";
import { manualSeed } from "../../core/random.js";
import { rand } from "../../creation.js";
import { Tensor } from "../../tensor.js";
import { checkpointPosition, loadCheckpoint, loadCheckpointModel } from "../../train/checkpoint.js";
import { openDataset } from "../../train/datasets.js";
import { captureActivations, renderActivations } from "../../viz/activations.js";
import { writeFigure } from "../../viz/files.js";
import { filterSections, renderFilters } from "../../viz/filters.js";
import { confusionMatrix, renderConfusion, renderMistakes, type Mistake } from "../../viz/mistakes.js";
import { encodePng, type Image } from "../../viz/png.js";
import { numberOption, parse, stringOption, UsageError } from "../args.js";

export const VIZ_USAGE = `Usage:
  torchlet viz kernels <checkpoint> [--scale 6] [--out dir]
  torchlet viz activations <checkpoint> (--index N | --noise [--seed N]) [--out dir] [--data-dir dir]
  torchlet viz mistakes <checkpoint> [--max 100] [--limit N] [--out dir] [--data-dir dir]

  kernels      every conv layer's kernels, one per (output map, input map), on a blue-white-red
               scale centred on zero; --scale is the pixels per weight (6: a 5x5 kernel is 30 px)
  activations  each layer's outputs for MNIST test image N, or for uniform noise in [0, 1)
  mistakes     the misclassified test images ("true -> predicted", at most --max of them) and the
               confusion matrix; --limit N looks at the first N test images only
  --out dir    folder for the PNG files (default: the checkpoint's folder)`;

const VIZ_OPTIONS = {
  out: { type: "string" },
  scale: { type: "string" },
  index: { type: "string" },
  noise: { type: "boolean" },
  seed: { type: "string" },
  max: { type: "string" },
  limit: { type: "string" },
  "data-dir": { type: "string" },
} as const;

type Values = Record<string, string | boolean | undefined>;
type Out = (s: string) => void;

export function vizCommand(argv: string[], out: Out = console.log): number {
  const { values, positionals } = parse(argv, VIZ_OPTIONS, VIZ_USAGE);
  if (values.help) {
    out(VIZ_USAGE);
    return 0;
  }
  const [what, path, ...extra] = positionals;
  const run = { kernels: vizKernels, activations: vizActivations, mistakes: vizMistakes }[what as string];
  if (!run) throw new UsageError(what ? `unknown picture "${what}" (expected kernels, activations or mistakes)` : "viz: which picture? (kernels, activations or mistakes)", VIZ_USAGE);
  if (!path) throw new UsageError(`viz ${what}: which checkpoint?`, VIZ_USAGE);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, VIZ_USAGE);
  for (const file of run(path, values)) out(file);
  return 0;
}

/** Where a picture of `checkpoint` goes: `<out or its folder>/<stem>.<suffix>.png`. */
function outputPath(checkpoint: string, values: Values, suffix: string): string {
  const stem = basename(checkpoint).replace(/\.safetensors$/, "");
  return join(stringOption(values, "out") ?? dirname(checkpoint), `${stem}.${suffix}.png`);
}

function save(path: string, image: Image): string {
  return writeFigure(path, encodePng(image));
}

function vizKernels(path: string, values: Values): string[] {
  const scale = numberOption(values, "scale", 6, "int>0", VIZ_USAGE);
  const { stateDict, info } = loadCheckpoint(path);
  const figure = renderFilters(filterSections(stateDict), `Convolution kernels of ${basename(path)}${checkpointPosition(info)}`, scale);
  return [save(outputPath(path, values, "kernels"), figure.image)];
}

function vizActivations(path: string, values: Values): string[] {
  const noise = values.noise === true;
  if (noise === (values.index !== undefined)) throw new UsageError("viz activations: give either --index N (a test image) or --noise", VIZ_USAGE);
  const m = loadCheckpointModel(path);
  let x: Tensor, caption: string, suffix: string, what: string;
  if (noise) {
    const seed = numberOption(values, "seed", 0, "int>=0", VIZ_USAGE);
    manualSeed(seed);
    x = rand([1, 1, 28, 28]);
    [caption, suffix, what] = [`input: uniform noise in [0, 1), seed ${seed}`, `activations-noise${seed}`, "uniform noise"];
  } else {
    const test = openDataset(m.dataset, { train: false, root: stringOption(values, "data-dir") });
    const index = numberOption(values, "index", 0, "int>=0", VIZ_USAGE);
    if (index >= test.length) throw new UsageError(`--index must be below ${test.length} (the test set's size), got ${index}`, VIZ_USAGE);
    const [image, label] = test.get(index);
    x = image.reshape([1, 1, 28, 28]);
    [caption, suffix, what] = [`input: MNIST test image ${index}, label ${label}`, `activations-test${index}`, `test image ${index} (label ${label})`];
  }
  const { layers, output } = captureActivations(m.model, m.prepare(x));
  const predicted = m.predict(output)[0];
  const title = `${m.description} on ${what}: predicted ${predicted}`;
  const image = renderActivations({ pixels: x.data, height: 28, width: 28, caption }, layers, title, m.kind !== "logreg" ? predicted : undefined);
  return [save(outputPath(path, values, suffix), image)];
}

function vizMistakes(path: string, values: Values): string[] {
  const max = numberOption(values, "max", 100, "int>0", VIZ_USAGE);
  const m = loadCheckpointModel(path);
  const test = openDataset(m.dataset, { train: false, root: stringOption(values, "data-dir"), limit: values.limit === undefined ? undefined : numberOption(values, "limit", 0, "int>0", VIZ_USAGE) });
  // The test images of the model's classes (all ten for LeNet-5, the two digits for logistic regression).
  const indices = Array.from({ length: test.length }, (_, i) => i).filter((i) => m.classes.includes(test.labels[i]));
  const truth: number[] = [], predicted: number[] = [], mistakes: Mistake[] = [];
  m.model.eval();
  noGrad(() => {
    for (let start = 0; start < indices.length; start += 100) {
      const batch = indices.slice(start, start + 100);
      const [x] = test.getBatch(batch);
      m.predict(m.model.forward(m.prepare(x))).forEach((p, b) => {
        const i = batch[b], t = test.labels[i];
        truth.push(t);
        predicted.push(p);
        if (p !== t && mistakes.length < max) mistakes.push({ pixels: x.data.slice(b * 784, (b + 1) * 784), truth: t, predicted: p, index: i });
      });
    }
  });
  const wrong = truth.filter((t, i) => t !== predicted[i]).length;
  const name = basename(path);
  const accuracy = `${truth.length - wrong}/${truth.length} correct (${((100 * (truth.length - wrong)) / Math.max(truth.length, 1)).toFixed(2)}%)`;
  const subtitle = `${m.description}; ${accuracy}; caption: true -> predicted, #test index` + (wrong > mistakes.length ? `; first ${mistakes.length} of ${wrong} shown` : "");
  const grid = renderMistakes(mistakes, 28, 28, `Misclassified test images: ${name}`, subtitle);
  const matrix = renderConfusion(confusionMatrix(truth, predicted, m.classes), m.classes, `Confusion matrix: ${name}, ${accuracy}`);
  return [save(outputPath(path, values, "mistakes"), grid), save(outputPath(path, values, "confusion"), matrix)];
}
