// The zip reader: CRC-32's check value, and archives that are not what torch.save writes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { crc32, readZipDirectory, readZipEntry } from "../../src/io/zip.js";

const fail = (problem: string): never => { throw new Error(`zip: ${problem}`); };
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../test/io/fixtures/pt/${name}`, import.meta.url)));

test("CRC-32 gives the standard check value of \"123456789\" and 0 for nothing", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("torch.save's archive: entries in order, data at 64-byte boundaries (miniz's padding), contents checked", () => {
  const bytes = fixture("state_dict.pt");
  const entries = readZipDirectory(bytes, fail);
  assert.deepEqual([...entries.keys()], ["state_dict/data.pkl", ...[0, 1, 2, 3, 4, 5, 6].map((i) => `state_dict/data/${i}`), "state_dict/version"]);
  for (const [name, e] of entries) if (name.includes("/data/")) assert.equal(e.dataStart % 64, 0, name);
  assert.equal(new TextDecoder().decode(readZipEntry(bytes, entries.get("state_dict/version")!, fail)), "3\n");
});

test("not a zip, empty, or cut before the end record: clear errors", () => {
  assert.throws(() => readZipDirectory(new Uint8Array(10), fail), /^Error: zip: 10 bytes: too short for a zip archive \(truncated\?\)$/);
  assert.throws(() => readZipDirectory(new Uint8Array(100), fail), /no zip end-of-central-directory record: the file is truncated or not a zip archive/);
  const bytes = fixture("state_dict.pt");
  // Drop the first 100 bytes: the directory's offsets now point past what is there.
  const shifted = bytes.subarray(100);
  assert.throws(() => readZipDirectory(shifted, fail), /(runs past the end of the file|no local header at offset|missing or corrupt)/);
});

test("a deflated entry is listed but not read: the error says how to fix the file", () => {
  const bytes = fixture("compressed.pt");
  const entries = readZipDirectory(bytes, fail);
  assert.equal(entries.get("state_dict/data.pkl")!.method, 8);
  assert.throws(() => readZipEntry(bytes, entries.get("state_dict/data.pkl")!, fail), /entry "state_dict\/data\.pkl" is compressed \(zip method 8, deflate\)/);
});

test("an end record that defers to the zip64 one (0xFFFF entries): the zip64 record torch.save writes is read", () => {
  const bytes = Uint8Array.from(fixture("state_dict.pt"));
  const view = new DataView(bytes.buffer);
  const end = bytes.length - 22; // no comment: the end record is the last 22 bytes
  assert.equal(view.getUint32(end, true), 0x06054b50);
  view.setUint16(end + 8, 0xffff, true);
  view.setUint16(end + 10, 0xffff, true);
  view.setUint32(end + 16, 0xffffffff, true);
  assert.equal(readZipDirectory(bytes, fail).size, 9);
  view.setUint32(end - 20, 0, true); // the locator gone
  assert.throws(() => readZipDirectory(bytes, fail), /zip64 end record expected \(the end record says so\) but no zip64 locator found/);
});
