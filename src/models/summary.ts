// summary(model, inputShape): runs one forward pass on zeros and prints each module's output
// shape and parameter count, like the lecture's printout and torchinfo.

import { noGrad } from "../autograd/grad-mode.js";
import { zeros } from "../creation.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";

/** One module's line of a summary. */
export interface SummaryRow {
  /** Dotted name ("net.0"). */
  name: string;
  /** Class name ("Conv2d"). */
  type: string;
  /** Nesting depth (0 for the model's children). */
  depth: number;
  /** The shape of its output on the summary's input. */
  outputShape: number[];
  /** Its parameters, its children's included. */
  params: number;
}

/** What summary() found: a row per module, the totals, and the printable table. */
export interface Summary {
  /** One row per module, in the order they ran. */
  rows: SummaryRow[];
  /** The input shape the model ran on. */
  inputShape: number[];
  /** The model's output shape. */
  outputShape: number[];
  /** All parameters. */
  totalParams: number;
  /** Parameters that require grad. */
  trainableParams: number;
  /** The printable table. */
  text: string;
}

/**
 * Records every submodule's output during one forward pass by wrapping its forward.
 * @example
 * const s = torch.summary(models.modernLeNet(), [1, 1, 28, 28]);
 * s.outputShape // => [1, 10]
 * s.totalParams // => 61706
 */
export function summary(model: Module, inputShape: readonly number[]): Summary {
  const rows: SummaryRow[] = [];
  const restore: (() => void)[] = [];
  for (const [name, m] of model.namedModules()) {
    if (name === "") continue;
    const original = m.forward;
    // forward normally lives on the prototype: restoring means deleting the own property.
    const hadOwn = Object.prototype.hasOwnProperty.call(m, "forward");
    const row: SummaryRow = { name, type: m.constructor.name, depth: name.split(".").length - 1, outputShape: [], params: m.numParameters() };
    m.forward = (...inputs: Tensor[]) => {
      const index = rows.length;
      rows.push(row); // pushed before the call so containers precede their children
      const y = original.apply(m, inputs);
      // Parameters are counted after the call: a lazy layer has none before its first forward.
      rows[index] = { ...row, outputShape: [...y.shape], params: m.numParameters() };
      return y;
    };
    restore.push(() => {
      if (hadOwn) m.forward = original;
      else delete (m as Partial<Module>).forward;
    });
  }
  let out: Tensor;
  try {
    out = noGrad(() => model.forward(zeros(inputShape)));
  } finally {
    restore.forEach((r) => r());
  }
  const totalParams = model.numParameters();
  const trainableParams = model.parameters().filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel, 0);
  return { rows, inputShape: [...inputShape], outputShape: [...out.shape], totalParams, trainableParams, text: formatSummary(model, rows, inputShape, totalParams, trainableParams) };
}

function formatSummary(model: Module, rows: SummaryRow[], inputShape: readonly number[], total: number, trainable: number): string {
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  const cells = rows.map((r) => [`${"  ".repeat(r.depth)}${r.name} (${r.type})`, shape(r.outputShape), r.params.toLocaleString("en-US")]);
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const w = [0, 1, 2].map((i) => Math.max(header[i].length, ...cells.map((c) => c[i].length)) + 2);
  const line = (c: string[]) => c[0].padEnd(w[0]) + c[1].padEnd(w[1]) + c[2].padStart(w[2]);
  const rule = "=".repeat(w[0] + w[1] + w[2]);
  return [
    `${model.constructor.name} on input ${shape(inputShape)}`,
    rule,
    line(header),
    rule,
    ...cells.map(line),
    rule,
    `Total params: ${total.toLocaleString("en-US")}`,
    `Trainable params: ${trainable.toLocaleString("en-US")}`,
    `Non-trainable params: ${(total - trainable).toLocaleString("en-US")}`,
    rule,
  ].join("\n");
}
