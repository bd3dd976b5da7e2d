// Recording an eval-mode forward as an ONNX graph. Every module of the model gets a recording
// `forward` for the duration of the trace:
//  - a module with an export rule (onnx/modules.ts: Conv2d, BatchNorm2d, ...) runs as usual and
//    its rule writes its nodes, from its options;
//  - any other module (a model, a ResNet block, a Sequential) runs its own forward, and the
//    tensors it passes on are traced back through the autograd graph to values already known
//    (the input, parameters, earlier module outputs), each op on the way written by its rule in
//    onnx/ops.ts (add, relu, reshape, cat, ...). So hand-written forwards (x.add(identity),
//    x.view([-1, 400])) are recorded as they run, not as anyone restated them.
// NOTE: a patched `forward` also turns the library's fusions off (nn/layers.ts isExactly): a
// Sequential then runs Conv2d and ReLU as two modules, and both are recorded. An activation
// fused onto a functional op (addShortcutRelu's add + ReLU) is read from ops/fused.ts.

import { isGradEnabled, setGradEnabled } from "../autograd/grad-mode.js";
import { fusedActivationOf } from "../ops/fused.js";
import type { Module } from "../nn/module.js";
import { shapeStr } from "../core/shape.js";
import { Tensor } from "../tensor.js";
import type { GraphBuilder } from "./graph.js";
import { moduleRule, type ModuleRule } from "./modules.js";
import { ACTIVATION_OPS, OnnxExportError, OP_RULES, type ExportContext } from "./ops.js";

export interface Trace {
  /** The output's value name in the graph. */
  output: string;
  /** The model's output on the example input. */
  y: Tensor;
}

/**
 * Runs model.forward on the examples (eval mode, the graph recorded) and writes the nodes into g.
 * The model comes back as it was: training flags, forwards, grad mode.
 */
export function traceModel(model: Module, examples: readonly Tensor[], inputNames: readonly string[], g: GraphBuilder, dynamicBatch: boolean): Trace {
  const tracer = new Tracer(model, g, dynamicBatch);
  // Inputs that require a gradient: every op on them is then recorded, even before the first parameter.
  const inputs = examples.map((x, i) => {
    const t = new Tensor(x.data, x.shape, { requiresGrad: true });
    tracer.values.set(t, inputNames[i]);
    return t;
  });
  const modes = model.modules().map((m) => [m, m.training] as const);
  const gradMode = isGradEnabled();
  const restore = tracer.patch();
  try {
    model.eval();
    setGradEnabled(true);
    const y = model.forward(...inputs);
    return { output: tracer.resolve(y, "", model), y };
  } finally {
    restore();
    setGradEnabled(gradMode);
    for (const [m, training] of modes) m.training = training;
  }
}

class Tracer {
  /** The graph value of each tensor met so far. */
  readonly values = new Map<Tensor, string>();
  /** Module -> its path in the model ("layer1.0.conv1"); a module used twice keeps its first. */
  private readonly paths = new Map<Module, string>();
  /** Parameters and buffers -> their state-dict names, which their initializers take. */
  private readonly held = new Map<Tensor, string>();
  /** Inside a module with a rule: its children run unrecorded (the rule stands for them). */
  private inRule = 0;
  /** The module whose forward is running (ops met are attributed to it). */
  private scope: [string, Module];

  constructor(model: Module, private readonly g: GraphBuilder, private readonly dynamicBatch: boolean) {
    for (const [name, m] of model.namedModules()) if (!this.paths.has(m)) this.paths.set(m, name);
    for (const [name, t] of Object.entries(model.stateDict())) if (!this.held.has(t)) this.held.set(t, name);
    this.scope = ["", model];
  }

  /** Gives every module a recording forward; returns the function that puts the old ones back. */
  patch(): () => void {
    const saved: [Module, PropertyDescriptor | undefined][] = [];
    for (const m of this.paths.keys()) {
      const rule = moduleRule(m); // before patching: a patched forward would hide the rule
      const forward = m.forward;
      saved.push([m, Object.getOwnPropertyDescriptor(m, "forward")]);
      const record = (...args: Tensor[]) => this.record(m, rule, forward, args);
      Object.defineProperty(m, "forward", { value: record, configurable: true, writable: true, enumerable: false });
    }
    return () => {
      for (const [m, own] of saved) {
        if (own) Object.defineProperty(m, "forward", own);
        else delete (m as { forward?: unknown }).forward;
      }
    };
  }

  private record(m: Module, rule: ModuleRule | null, forward: Module["forward"], args: Tensor[]): Tensor {
    if (this.inRule > 0) return forward.apply(m, args);
    const path = this.paths.get(m)!;
    // The inputs come from the caller: ops between modules belong to the module that ran them.
    const inputs = args.map((a) => this.resolve(a, ...this.scope));
    if (rule) {
      this.inRule++;
      let y: Tensor;
      try {
        y = forward.apply(m, args);
      } finally {
        this.inRule--;
      }
      this.values.set(y, rule(this.context(path), m, inputs, args, y));
      return y;
    }
    const outer = this.scope;
    this.scope = [path, m];
    try {
      const y = forward.apply(m, args);
      this.resolve(y, path, m);
      return y;
    } finally {
      this.scope = outer;
    }
  }

  /** t's value name, writing the nodes that compute it from values already known. */
  resolve(t: Tensor, scope: string, owner: Module): string {
    const known = this.values.get(t);
    if (known !== undefined) return known;
    const where = scope || "model";
    if (this.held.has(t)) return this.context(scope).weight(t, "");
    const node = t.gradFn;
    if (node === null) {
      // A number the forward added (x.add(1)) is a constant; a larger tensor made without the
      // input would be the example's value frozen into the file.
      if (t.numel > 1) {
        throw new OnnxExportError(`${where}: ${owner.constructor.name}.forward uses a tensor of shape ${shapeStr(t.shape)} that is neither a parameter, a buffer nor computed from the input by a recorded op; no ONNX export for it`);
      }
      const name = this.g.addFloat(`${scope || "model"}.constant`, t.shape, t.data);
      this.values.set(t, name);
      return name;
    }
    const rule = OP_RULES[node.op];
    if (!rule) {
      throw new OnnxExportError(
        `${where}: no ONNX export for op "${node.op}" called by ${owner.constructor.name}.forward (ops it may call directly: ${Object.keys(OP_RULES).join(", ")}; convolutions, pooling and normalisation must come from their nn modules)`,
      );
    }
    const inputs = node.inputs.map((x) => this.resolve(x, scope, owner));
    let out = rule(this.context(scope), inputs, node, t);
    const act = fusedActivationOf(node);
    if (act) out = this.g.add(ACTIVATION_OPS[act], [out], [], scope);
    this.values.set(t, out);
    return out;
  }

  private context(scope: string): ExportContext {
    return {
      g: this.g,
      scope,
      where: scope || "model",
      dynamicBatch: this.dynamicBatch,
      weight: (t, name) => {
        const known = this.values.get(t);
        if (known !== undefined) return known;
        const value = this.g.addFloat(this.held.get(t) ?? `${scope}.${name}`, t.shape, t.data);
        this.values.set(t, value);
        return value;
      },
    };
  }
}
