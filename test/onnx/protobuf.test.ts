// The protobuf writer against the wire format's documented examples (protobuf.dev, "Encoding").

import { test } from "node:test";
import assert from "node:assert/strict";
import { ProtoWriter } from "../../src/onnx/protobuf.js";

const hex = (w: ProtoWriter) => Buffer.from(w.finish()).toString("hex");

test("varints: 150 is 96 01, negative int64s take ten bytes, field numbers past 15 take two key bytes", () => {
  assert.equal(hex(new ProtoWriter().int(1, 150)), "089601");
  assert.equal(hex(new ProtoWriter().int(2, -1)), "10ffffffffffffffffff01");
  assert.equal(hex(new ProtoWriter().int(1, -2)), "08feffffffffffffffff01");
  assert.equal(hex(new ProtoWriter().int(20, 7)), "a00107");
  assert.equal(hex(new ProtoWriter().int(1, 2 ** 40)), "08808080808020");
  assert.equal(hex(new ProtoWriter().ints(8, [1, 2])), "40014002");
  assert.throws(() => new ProtoWriter().int(1, 0.5), /0\.5 is not an integer/);
});

test("strings, bytes, floats and nested messages", () => {
  assert.equal(hex(new ProtoWriter().string(2, "testing")), "120774657374696e67");
  assert.equal(hex(new ProtoWriter().float(2, 1)), "150000803f");
  const inner = new ProtoWriter().int(1, 150);
  assert.equal(hex(new ProtoWriter().message(3, inner)), "1a03089601");
  // A large payload between small fields keeps the order.
  const payload = new Uint8Array(300).fill(7);
  const out = new ProtoWriter().int(1, 1).bytes(9, payload).int(2, 2).finish();
  assert.deepEqual([...out.subarray(0, 5)], [0x08, 0x01, 0x4a, 0xac, 0x02]);
  assert.deepEqual([...out.subarray(305)], [0x10, 0x02]);
  assert.equal(out.length, 307);
  const outer = new ProtoWriter().message(1, new ProtoWriter().bytes(9, payload));
  assert.equal(outer.length, 1 + 2 + (1 + 2 + 300)); // key, length 303, then the inner message
});
