// Reading PyTorch's .pt files: fixtures written by torch.save in Debian's python3-torch 1.13
// (test/io/fixtures/generate_pt_fixtures.py), with the values pt_expected.json says they hold.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tensor } from "../../src/tensor.js";
import * as torch from "../../src/index.js";
import { checkpointFormat, load, loadPt, parsePt, parseStateDict, save, type PtValue } from "../../src/io/index.js";
import { readZipDirectory } from "../../src/io/zip.js";
import { tempDir } from "./helpers.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/io/fixtures/pt/${name}`, import.meta.url));
type Expected = { shape: number[]; dtype: string; data: (number | string)[] };
const expected = JSON.parse(readFileSync(fileURLToPath(new URL("../../../test/io/fixtures/pt_expected.json", import.meta.url)), "utf8")) as {
  files: Record<string, Record<string, Expected>> & { "nested.pt": { model: Record<string, Expected> } };
};
const PWNED = "/tmp/torchlet-pt-fixture-pwned"; // what evil.pt's command would create

/** Every tensor as pt_expected.json lists it: keys in order, shape, float64 or float32, values bit for bit. */
function assertHolds(what: string, sd: Record<string, PtValue>, exp: Record<string, Expected>): void {
  assert.deepEqual(Object.keys(sd), Object.keys(exp), `${what}: keys`);
  for (const [k, e] of Object.entries(exp)) {
    const t = sd[k];
    assert.ok(t instanceof Tensor, `${what}: ${k} is a Tensor`);
    assert.deepEqual(t.shape, e.shape, `${what}: ${k} shape`);
    assert.equal(t.dtype, e.dtype === "float64" ? "float64" : "float32", `${what}: ${k} dtype`);
    const want = e.data.map((x) => (typeof x === "string" ? Number(x.replace("inf", "Infinity")) : x));
    assert.deepEqual(Array.from(t.data), want, `${what}: ${k} values`);
  }
}

for (const name of ["state_dict.pt", "dtypes.pt", "views.pt", "protocol4.pt", "parameter.pt", "big_endian.pt"]) {
  test(`torch.load reads ${name} with PyTorch's values`, () => {
    assertHolds(name, load(fixture(name)), expected.files[name]);
  });
}

test("views: transposed, strided, offset, expanded (stride 0) and permuted tensors come out contiguous", () => {
  const sd = load(fixture("views.pt"));
  const base = Array.from(sd.base.data);
  const at = (r: number, c: number) => base[r * 6 + c];
  assert.deepEqual(Array.from(sd.transposed.data), [0, 1, 2, 3, 4, 5].flatMap((c) => [0, 1, 2, 3].map((r) => at(r, c))));
  assert.deepEqual(Array.from(sd.every_other_column.data), [0, 1, 2, 3].flatMap((r) => [1, 3, 5].map((c) => at(r, c))));
  assert.deepEqual(Array.from(sd.expanded.data), [1, 2, 3, 1, 2, 3]);
  // Tensors that shared a storage in PyTorch are copies here: writing one leaves the other.
  sd.transposed.data[0] = 99;
  assert.equal(sd.base.data[0], 0.5);
  assert.deepEqual(sd.empty.shape, [0, 3]);
  assert.deepEqual(sd.scalar.shape, []);
});

test("a state dict from a .pt loads with strict=True into the matching torchlet model", () => {
  const model = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm2d(2));
  model.loadStateDict(load(fixture("state_dict.pt")), { strict: true });
  const sd = expected.files["state_dict.pt"];
  assert.deepEqual(Array.from(model.stateDict()["1.running_var"].data), sd["1.running_var"].data);
  assert.equal(model.stateDict()["1.num_batches_tracked"].item(), 3);
});

test("loadPt returns a checkpoint that is more than a state dict: numbers, strings, lists, tuples, bytes, nested dicts", () => {
  const ckpt = loadPt(fixture("nested.pt")) as Record<string, PtValue>;
  assert.deepEqual(Object.keys(ckpt), ["model", "epoch", "lr", "name", "history", "shape", "flags", "big", "neg"]);
  assertHolds("nested.pt model", ckpt.model as Record<string, PtValue>, expected.files["nested.pt"].model);
  assert.equal(ckpt.epoch, 3);
  assert.equal(ckpt.lr, 0.125);
  assert.equal(ckpt.name, "lenet");
  assert.deepEqual(ckpt.history, [1.5, 0.75]);
  assert.deepEqual(ckpt.shape, [2, 3]);
  assert.deepEqual(ckpt.flags, { done: true, note: null });
  assert.equal(ckpt.big, 2n ** 70n); // past 2^53: a bigint, exact
  assert.equal(ckpt.neg, -5);
  // torch.load wants a state dict and says where to go instead.
  assert.throws(() => load(fixture("nested.pt")), /holds a dict with entries that are not tensors \("model": dict, "epoch": int, "lr": float, "name": str, \.\.\.\), not a state dict: read the whole object with io\.loadPt\(path\)/);
});

test("a single saved tensor: loadPt returns it, load says it is not a state dict", () => {
  const t = loadPt(fixture("tensor.pt"));
  assert.ok(t instanceof Tensor);
  assert.deepEqual(Array.from(t.data), [0, 1, 2, 3]);
  assert.throws(() => load(fixture("tensor.pt")), /tensor\.pt: holds a single tensor, not a state dict/);
});

for (const [name, global] of [["evil.pt", "posix.system"], ["evil_eval.pt", "builtins.eval"]]) {
  test(`a pickle that would run a command (${name}, ${global} via __reduce__) is refused and nothing runs`, () => {
    rmSync(PWNED, { force: true });
    const message = new RegExp(`^Error: load: .*${name}: refused the global ${global.replace(".", "\\.")}: a weights-only load allows only collections\\.OrderedDict, torch\\._utils\\._rebuild_tensor_v2`);
    assert.throws(() => load(fixture(name)), message);
    assert.throws(() => loadPt(fixture(name)), message);
    assert.equal(existsSync(PWNED), false);
  });
}

const refusals: [string, RegExp][] = [
  ["legacy.pt", /legacy\.pt: PyTorch's legacy format \(torch\.save with _use_new_zipfile_serialization=False, or PyTorch < 1\.6\) is not supported/],
  ["compressed.pt", /entry "state_dict\/data\.pkl" is compressed \(zip method 8, deflate\); torch\.save stores entries uncompressed/],
  ["torchscript.pt", /torchscript\.pt: a TorchScript archive \(torch\.jit\.save\), not a torch\.save file/],
  ["huge_view.pt", /huge_view\.pt: tensor of shape \[1099511627776\] \(1099511627776 elements\) is too large to allocate/],
];
for (const [name, message] of refusals) {
  test(`${name} gets a clear error`, () => assert.throws(() => load(fixture(name)), message));
}

test("a truncated .pt (cut anywhere) gets a clear error, never a wrong state dict", () => {
  const bytes = readFileSync(fixture("state_dict.pt"));
  for (let cut = 4; cut < bytes.length; cut += 97) {
    assert.throws(() => parseStateDict(bytes.subarray(0, cut), "cut.pt"), /^Error: load: cut\.pt: .*(truncated|not a zip|not a safetensors)/, `cut at ${cut}`);
  }
});

test("a corrupted storage byte fails the CRC-32 check", () => {
  const bytes = Uint8Array.from(readFileSync(fixture("state_dict.pt")));
  const entry = readZipDirectory(bytes, (problem) => { throw new Error(problem); }).get("state_dict/data/0")!;
  bytes[entry.dataStart + 5] ^= 0x01;
  assert.throws(() => parsePt(bytes, "bad.pt"), /^Error: load: bad\.pt: entry "state_dict\/data\/0": CRC-32 0x[0-9a-f]{8} != 0x[0-9a-f]{8} in the directory: the file is corrupt$/);
});

test("checkpointFormat tells the formats apart by their first bytes, whatever the file name", () => {
  assert.equal(checkpointFormat(readFileSync(fixture("state_dict.pt"))), "pt");
  assert.equal(checkpointFormat(readFileSync(fixture("legacy.pt"))), "pt-legacy");
  const dir = tempDir();
  const path = join(dir, "model.pt"); // a safetensors file with a .pt name still loads
  save({ w: new Tensor(Float32Array.from([1, 2]), [2]) }, path);
  assert.equal(checkpointFormat(readFileSync(path)), "safetensors");
  assert.deepEqual(Array.from(load(path).w.data), [1, 2]);
  writeFileSync(join(dir, "p.pkl"), new Uint8Array([0x80, 0x04, 0x95, 0, 0]));
  assert.throws(() => load(join(dir, "p.pkl")), /a bare pickle \(pickle\.dump\), not a torch\.save zip archive/);
});
