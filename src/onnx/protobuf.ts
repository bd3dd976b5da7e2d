// A minimal protocol-buffers writer: the four wire types ONNX's messages use (varint, 32-bit,
// length-delimited bytes and nested messages). Large payloads (weights) are kept as references
// and copied once, when the whole message is joined (finish), never per nesting level.
// Wire format: each field is a varint key (field number << 3 | wire type) then its value;
// https://protobuf.dev/programming-guides/encoding/

const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;

const utf8 = new TextEncoder();

export class ProtoWriter {
  /** Finished parts, in order; `pending` collects small fields until the next large one. */
  private readonly parts: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  /** Bytes written so far (the length prefix a parent message writes for this one). */
  get length(): number {
    return this.size + this.pending.length;
  }

  /** An int32 / int64 / enum / bool field; negative values take ten bytes (two's complement). */
  int(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  /** A repeated int64 field written unpacked (one key per value, as proto2 declares them). */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.pending.push(...b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A length-delimited field; `value` is referenced, not copied, until finish(). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, BYTES);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  /** A nested message; `message` must not be written to afterwards. */
  message(field: number, message: ProtoWriter): this {
    this.key(field, BYTES);
    this.varint(message.length);
    message.flush();
    for (const p of message.parts) this.push(p);
    return this;
  }

  /** The encoded message as one array. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf: ${value} is not an integer that can be encoded exactly`);
    if (value < 0) {
      // int64 varints carry the 64-bit two's complement: ten bytes for any negative value.
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.pending.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.pending.push(Number(v));
      return;
    }
    while (value >= 0x80) {
      this.pending.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.pending.push(value);
  }

  private push(part: Uint8Array): void {
    this.flush();
    this.parts.push(part);
    this.size += part.length;
  }

  private flush(): void {
    if (!this.pending.length) return;
    this.parts.push(Uint8Array.from(this.pending));
    this.size += this.pending.length;
    this.pending = [];
  }
}
