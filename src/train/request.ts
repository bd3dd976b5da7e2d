// A training run as the explorer's Train tab asks for it (the body of POST /api/train, and what
// the page's Web Worker is given), validated, with the CLI's defaults; and the plan and settings
// it becomes. Shared by the server (validation, 400 on a bad field), its training worker and the
// page's (train/run-request.ts runs it).

import { lenet5Plan, logregPlan, type TrainPlan } from "./plans.js";
import type { RunSettings } from "./setup.js";

export interface TrainRequest {
  model: "lenet5" | "logreg";
  /** LeNet-5's C3: the original sparse table or a full Conv2d(6, 16, 5). */
  c3: "sparse" | "full";
  /** Logistic regression's loss. */
  loss: "logistic" | "sum-of-squares";
  optimizer: "sgd" | "adam";
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Train on the first `limit` training images only; undefined for all 60,000. */
  limit?: number;
}

export class BadRequest extends Error {}

const DEFAULTS = {
  lenet5: { epochs: 1, batchSize: 100, lr: 0.1 },
  logreg: { epochs: 1, batchSize: 1, lr: 0.0255 },
};

function choice<T extends string>(body: Record<string, unknown>, key: string, choices: readonly T[], fallback: T): T {
  const v = body[key] ?? fallback;
  if (!choices.includes(v as T)) throw new BadRequest(`train: "${key}" must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

function number(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number, integer: boolean): number {
  const v = body[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new BadRequest(`train: "${key}" must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A validated request; throws BadRequest naming the field and the expected values. */
export function parseTrainRequest(body: unknown): TrainRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequest(`train: expected a JSON object, got ${JSON.stringify(body)}`);
  const b = body as Record<string, unknown>;
  const known = ["model", "c3", "loss", "optimizer", "epochs", "batchSize", "lr", "seed", "limit"];
  const extra = Object.keys(b).filter((k) => !known.includes(k));
  if (extra.length) throw new BadRequest(`train: unknown field "${extra[0]}" (known: ${known.join(", ")})`);
  const model = choice(b, "model", ["lenet5", "logreg"] as const, "lenet5");
  const optimizer = choice(b, "optimizer", ["sgd", "adam"] as const, "sgd");
  const d = DEFAULTS[model];
  return {
    model,
    c3: choice(b, "c3", ["sparse", "full"] as const, "sparse"),
    loss: choice(b, "loss", ["logistic", "sum-of-squares"] as const, "logistic"),
    optimizer,
    epochs: number(b, "epochs", d.epochs, 1, 50, true),
    batchSize: number(b, "batchSize", d.batchSize, 1, 1000, true),
    lr: number(b, "lr", optimizer === "adam" ? 1e-3 : d.lr, 1e-6, 10, false),
    seed: number(b, "seed", 0, 0, 2 ** 31 - 1, true),
    limit: b.limit === undefined ? undefined : number(b, "limit", 0, 1, 60000, true),
  };
}

/** The homework's plans: LeNet-5 with either C3, or logistic regression on 4 (-1) vs 9 (+1). */
export function requestPlan(r: TrainRequest): TrainPlan {
  return r.model === "lenet5" ? lenet5Plan(r.c3) : logregPlan(r.loss, [4, 9]);
}

/** MNIST, with the request's optimizer settings; `source` goes into the checkpoint's metadata. */
export function requestSettings(r: TrainRequest, source: string): RunSettings {
  return { dataset: "mnist", optimizer: r.optimizer, lr: r.lr, batchSize: r.batchSize, seed: r.seed, limit: r.limit, extraInfo: { source } };
}

/**
 * The stem of a run's file names: `<prefix>-<model>-<UTC time>-<run>`, e.g.
 * web-lenet5-sparse-20261208-013000-1 (the server's runs), page-... (the page's downloads).
 */
export function runFileStem(r: TrainRequest, prefix: string, run: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  return `${prefix}-${requestPlan(r).saveStem}-${stamp}-${run}`;
}
