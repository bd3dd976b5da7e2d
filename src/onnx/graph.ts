// The ONNX graph being built: nodes in execution order, float32 / int64 initializers, and unique
// value and node names. Node names follow PyTorch's exporter: "/layer1/0/conv1/Conv", output
// "/layer1/0/conv1/Conv_output_0", so a graph viewer shows where each node came from.

export type Attribute =
  | { name: string; type: "int"; value: number }
  | { name: string; type: "ints"; value: readonly number[] }
  | { name: string; type: "float"; value: number };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Attribute[];
}

export interface Initializer {
  name: string;
  dims: readonly number[];
  /** float32 weights, or int64 shape operands (Reshape's). */
  data: Float32Array | BigInt64Array;
}

/** Attribute builders: `int("group", 2)`, `ints("pads", [1, 1, 1, 1])`, `float("epsilon", 1e-5)`. */
export const int = (name: string, value: number): Attribute => ({ name, type: "int", value });
export const ints = (name: string, value: readonly number[]): Attribute => ({ name, type: "ints", value });
export const float = (name: string, value: number): Attribute => ({ name, type: "float", value });

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly used = new Set<string>();

  /** Reserves a name (graph inputs) so nothing else takes it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`torch.onnx.export: the name "${name}" is given twice`);
    this.used.add(name);
    return name;
  }

  /**
   * Appends a node and returns its output's name. `scope`: the module path it comes from
   * ("layer1.0.conv1"; "" for the model itself).
   */
  add(opType: string, inputs: string[], attributes: Attribute[] = [], scope = ""): string {
    const name = this.unique(`${scope ? `/${scope.replace(/\./g, "/")}` : ""}/${opType}`);
    const output = this.unique(`${name}_output_0`);
    this.nodes.push({ opType, name, inputs, outputs: [output], attributes });
    return output;
  }

  /** A float32 initializer (copied, so later training does not change the export). */
  addFloat(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], data: new Float32Array(data) }); // typed arrays: one block copy
    return unique;
  }

  /** A 1-D int64 initializer (Reshape's target shape). */
  addInt64(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return unique;
  }

  /**
   * Gives the value `from` the name `to` (a graph output's, reserved beforehand). A value that
   * no node makes (a graph input, an initializer) goes through an Identity node instead.
   */
  rename(from: string, to: string): void {
    if (!this.nodes.some((n) => n.outputs.includes(from))) {
      this.nodes.push({ opType: "Identity", name: this.unique("/Identity"), inputs: [from], outputs: [to], attributes: [] });
      return;
    }
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((v) => (v === from ? to : v));
      n.outputs = n.outputs.map((v) => (v === from ? to : v));
    }
  }

  private unique(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}
