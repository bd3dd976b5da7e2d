// ONNX's ModelProto, written with protobuf.ts: only the messages and fields an exported CNN
// needs. Field numbers are onnx/onnx.proto's (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).

import type { Attribute, Initializer, OnnxNode } from "./graph.js";
import { ProtoWriter } from "./protobuf.js";

/** A graph input or output: float32, each dim a size or a symbolic name ("batch"). */
export interface ValueInfo {
  /** The name in the graph. */
  name: string;
  /** Each dim's size, or its symbolic name ("batch"). */
  dims: readonly (number | string)[];
}

export interface ModelDescription {
  irVersion: number;
  opsetVersion: number;
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly Initializer[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

// TensorProto.DataType and AttributeProto.AttributeType values.
const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7 } as const;

export function encodeModel(m: ModelDescription): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of m.nodes) graph.message(1, encodeNode(n)); // GraphProto.node
  graph.string(2, m.graphName); // GraphProto.name
  for (const t of m.initializers) graph.message(5, encodeTensor(t)); // GraphProto.initializer
  for (const v of m.inputs) graph.message(11, encodeValueInfo(v)); // GraphProto.input
  for (const v of m.outputs) graph.message(12, encodeValueInfo(v)); // GraphProto.output

  const opset = new ProtoWriter().string(1, "").int(2, m.opsetVersion); // OperatorSetIdProto: domain, version
  return new ProtoWriter()
    .int(1, m.irVersion) // ModelProto.ir_version
    .string(2, "torchlet") // producer_name
    .message(7, graph) // graph
    .message(8, opset) // opset_import
    .finish();
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) w.message(5, encodeAttribute(a));
  return w;
}

function encodeAttribute(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name); // name
  if (a.type === "float") w.float(2, a.value); // f
  else if (a.type === "int") w.int(3, a.value); // i
  else w.ints(8, a.value); // ints
  return w.int(20, ATTRIBUTE_TYPE[a.type]); // type
}

function encodeTensor(t: Initializer): ProtoWriter {
  const w = new ProtoWriter().ints(1, t.dims); // dims
  w.int(2, t.data instanceof Float32Array ? FLOAT : INT64); // data_type
  w.string(8, t.name); // name
  return w.bytes(9, littleEndianBytes(t.data)); // raw_data: little-endian, whatever the host
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim); // TensorShapeProto.dim
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape); // TypeProto.Tensor: elem_type, shape
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, v.name).message(2, type); // ValueInfoProto: name, type
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (hostIsLittleEndian) return bytes;
  const out = new Uint8Array(bytes.length);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k];
  return out;
}
