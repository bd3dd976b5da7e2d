#!/usr/bin/env node
// The torchlet command line: one file per command under commands/, this file only dispatches
// and turns errors into messages and exit codes (2 for usage errors, 1 for failures).

import { UsageError } from "./args.js";
import { benchCommand } from "./commands/bench.js";
import { evalCommand } from "./commands/eval.js";
import { exportCommand } from "./commands/export.js";
import { plotCommand } from "./commands/plot.js";
import { vizCommand } from "./commands/viz.js";
import { runCommand } from "./commands/run.js";
import { summaryCommand } from "./commands/summary.js";
import { trainCommand } from "./commands/train.js";
import { serveCommand } from "./commands/serve.js";

const HELP = `torchlet: PyTorch-style CNNs in TypeScript

Usage: torchlet <command> [options]

Commands:
  train lenet5    train LeNet-5 on MNIST (default: sparse C3, SGD lr 0.1, batch 100, 10 epochs)
  train <model>   train a course network (vgg11, d2l-resnet18, modern-lenet, ...; train --help lists them)
  train logreg    logistic regression on MNIST 4 vs 9, batch 1 (homework 4, problem 5)
  eval <ckpt>     test accuracy of a saved checkpoint
  export <ckpt>   the checkpoint's model as ONNX (ONNX Runtime, ...) or a PyTorch state dict
  summary <model> layer output shapes and parameter counts (lenet5, logreg, every train model)
  bench           speed against PyTorch and TF.js on this machine (--quick: about 2 minutes)
  plot <run...>   loss and accuracy curves of training runs (SVG and PNG), several overlaid
  viz kernels|activations|mistakes <ckpt>
                  pictures of a checkpoint: conv kernels, each layer's outputs, misclassified images
  run <id>        one experiment of the course next to the seed's figures (run --list: all)
  serve           web explorer on 127.0.0.1:8080: draw digits, see layers and kernels, train
  help            this text

'torchlet <command> --help' shows a command's options.`;

const commands: Record<string, (argv: string[]) => number | Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  export: exportCommand,
  summary: summaryCommand,
  bench: benchCommand,
  plot: plotCommand,
  viz: vizCommand,
  run: runCommand,
  serve: serveCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`torchlet: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`torchlet ${name}: ${e.message}\n\n${e.usage}`);
      return 2;
    }
    console.error(`torchlet ${name}: ${(e as Error).message}`);
    if (process.env.TORCHLET_DEBUG) console.error((e as Error).stack);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
