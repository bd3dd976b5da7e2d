// Module: the base of every layer and model. Parameters, buffers and child modules are found
// by reflection over the instance's own properties, in assignment order, so names come out as
// PyTorch's (`C1_layer.0.weight`) without any registration calls.

import { shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";
import { Parameter } from "./parameter.js";

/** Parameter and buffer tensors by their PyTorch-style names ("C1_layer.0.weight", "bn.running_mean"). */
export type StateDict = Record<string, Tensor>;

/**
 * The base of every layer and model, as torch.nn.Module: subclass it, assign layers and Parameters as fields
 * (found by reflection, named as PyTorch names them), and write forward.
 * @example
 * class TwoLayer extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   forward(x: torch.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const model = new TwoLayer();
 * model.forward(torch.zeros([3, 4])) // shape [3, 2]
 * Object.keys(model.stateDict()) // => ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * model.numParameters() // => 58
 */
export abstract class Module {
  /** train() / eval() mode; layers such as Dropout and BatchNorm read it. */
  training = true;
  /** Named non-trainable state saved in the state dict (running statistics). */
  private readonly _buffers = new Map<string, Tensor>();

  /** The computation; call it as model.forward(x) (TypeScript has no __call__). */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Registers a tensor that is saved and loaded with the state dict but is not trained. */
  registerBuffer(name: string, value: Tensor): void {
    this._buffers.set(name, value);
  }

  /**
   * A buffer registered with registerBuffer.
   * @throws Error when this module has no buffer of that name.
   */
  getBuffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (!b) throw new Error(`${this.constructor.name}: no buffer named "${name}"`);
    return b;
  }

  /** Own parameters and child modules, in assignment order. */
  private ownEntries(): [string, Parameter | Module][] {
    return Object.entries(this).filter((e): e is [string, Parameter | Module] => e[1] instanceof Parameter || e[1] instanceof Module);
  }

  /** The direct child modules with their field names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  /** The direct child modules. */
  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  /** This module and every descendant, depth first, with dotted names ("" for this one). */
  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** This module and all its descendants, depth first. */
  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  /** Every parameter with its dotted name ("features.0.weight"), as named_parameters(). */
  *namedParameters(prefix = ""): Generator<[string, Parameter]> {
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [k, v] of m.ownEntries()) if (v instanceof Parameter) yield [name ? `${name}.${k}` : k, v];
    }
  }

  /** Every parameter of this module and its descendants (what an optimizer takes). */
  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Every buffer with its dotted name ("bn.running_mean"). */
  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [name, m] of this.namedModules()) for (const [k, v] of m._buffers) yield [name ? `${name}.${k}` : k, v];
  }

  /** Total number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /**
   * Puts this module and its descendants in training mode (Dropout drops, BatchNorm uses batch statistics); returns this.
   * @example new nn.Dropout().eval().train().training // => true
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode (= train(false)): Dropout passes through, BatchNorm uses its running statistics; returns this.
   * @example new nn.Sequential(new nn.Dropout()).eval()[0].training // => false
   */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's .grad (sets it to null), as zero_grad(set_to_none=True). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every descendant and then on this module, as PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters then buffers of each module, children after their parent, as PyTorch orders them. */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [name, m] of this.namedModules()) {
      const key = (k: string) => (name ? `${name}.${k}` : k);
      for (const [k, v] of m.ownEntries()) if (v instanceof Parameter) sd[key(k)] = v;
      for (const [k, v] of m._buffers) sd[key(k)] = v;
    }
    return sd;
  }

  /**
   * Copies values into this module's parameters and buffers. Checks every key and shape
   * before copying anything, so a mismatched checkpoint leaves the module untouched.
   * With strict (the default), missing or unexpected keys throw too.
   * @throws Error naming every missing key, unexpected key and shape mismatch.
   * @example
   * const a = new nn.Linear(2, 1), b = new nn.Linear(2, 1);
   * b.loadStateDict(a.stateDict());
   * b.weight.toArray() // => a.weight.toArray()
   */
  loadStateDict(sd: StateDict, options: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    const problems: string[] = [];
    if (options.strict ?? true) {
      if (missingKeys.length) problems.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
    }
    for (const [k, t] of Object.entries(own)) {
      const src = sd[k];
      if (src && (src.numel !== t.numel || src.shape.length !== t.shape.length || src.shape.some((s, i) => s !== t.shape[i]))) {
        problems.push(`size mismatch for ${k}: checkpoint has shape ${shapeStr(src.shape)}, model has ${shapeStr(t.shape)}`);
      }
    }
    if (problems.length) throw new Error(`loadStateDict: error(s) loading state dict for ${this.constructor.name}:\n  ${problems.join("\n  ")}`);
    for (const [k, t] of Object.entries(own)) if (sd[k]) t.data.set(sd[k].data);
    return { missingKeys, unexpectedKeys };
  }

  /** A PyTorch-like one-line-per-module description. */
  toString(): string {
    const kids = [...this.namedChildren()];
    const extra = this.extraRepr();
    if (!kids.length) return `${this.constructor.name}(${extra})`;
    const body = kids.map(([k, m]) => `  (${k}): ${String(m).replace(/\n/g, "\n  ")}`).join("\n");
    return `${this.constructor.name}(${extra ? `${extra}\n` : "\n"}${body}\n)`;
  }

  protected extraRepr(): string {
    return "";
  }
}
