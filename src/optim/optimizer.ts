// The Optimizer base: holds the parameters and per-parameter state; subclasses implement
// the update as a plain function of (param, grad, state) like PyTorch's functional optim.

import type { Tensor } from "../tensor.js";

/**
 * The base of the optimizers (torch.optim.Optimizer): it holds the parameters and their state; step() updates every parameter that has a gradient.
 * @example
 * const w = new nn.Parameter(torch.tensor([1]));
 * const opt: optim.Optimizer = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * w.sum().backward();
 * opt.step();
 * Object.keys(opt.stateDict()) // => ["0.momentum_buffer"]
 */
export abstract class Optimizer {
  readonly params: Tensor[];
  /** Per-parameter state (momentum buffers, Adam moments), created on the first step. */
  protected readonly state = new Map<Tensor, Record<string, Float32Array | Float64Array | number>>();

  constructor(params: Iterable<Tensor>, readonly name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${name}: optimizer got an empty parameter list`);
  }

  /** Sets every parameter's gradient to null (PyTorch's set_to_none default). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Updates each parameter that has a .grad, then leaves the gradients as they are (call zeroGrad before the next backward). */
  step(): void {
    for (const p of this.params) if (p.grad !== null) this.update(p, p.grad.data);
  }

  protected abstract update(p: Tensor, grad: Float32Array | Float64Array): void;

  protected stateOf(p: Tensor): Record<string, Float32Array | Float64Array | number> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** Optimizer state by parameter index, for checkpoints: { "0.momentum_buffer": [...] }. */
  stateDict(): Record<string, Float32Array | Float64Array | number> {
    const out: Record<string, Float32Array | Float64Array | number> = {};
    this.params.forEach((p, i) => {
      for (const [k, v] of Object.entries(this.state.get(p) ?? {})) out[`${i}.${k}`] = v;
    });
    return out;
  }

  /**
   * Restores the state saved by stateDict (momentum buffers, Adam's moments).
   * @throws Error when the state names a parameter the optimizer lacks or has the wrong size.
   */
  loadStateDict(sd: Record<string, Float32Array | Float64Array | number>): void {
    for (const [key, v] of Object.entries(sd)) {
      const dot = key.indexOf(".");
      const i = Number(key.slice(0, dot));
      const p = this.params[i];
      if (!p) throw new Error(`${this.name}.loadStateDict: state for parameter ${i}, but the optimizer has ${this.params.length}`);
      if (typeof v !== "number" && v.length !== p.numel) {
        throw new Error(`${this.name}.loadStateDict: state "${key}" has ${v.length} values, parameter ${i} has ${p.numel}`);
      }
      this.stateOf(p)[key.slice(dot + 1)] = typeof v === "number" ? v : v.slice();
    }
  }
}

export function checkHyper(op: string, name: string, v: number, ok: (v: number) => boolean, expect: string): void {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw new RangeError(`${op}: invalid ${name} ${v} (expected ${expect})`);
}

/** Drops keys whose value is undefined, so that `{ momentum: undefined }` keeps the default. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
