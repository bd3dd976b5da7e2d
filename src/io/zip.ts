// A small reader for the zip archives torch.save writes (pure, no node:, so the browser can use
// it): the central directory, then each entry's bytes, checked against its CRC-32. PyTorch's
// writer (miniz, caffe2/serialize/inline_container.cc) stores every entry uncompressed, pads
// the local headers' extra fields so that data starts on a 64-byte boundary, sets bit 3 (sizes
// after the data, so only the central directory's sizes count) and writes a zip64 end record
// even for small files. Compressed, encrypted or multi-disk archives get a clear error.
//
// Layout read here (all little-endian; APPNOTE.TXT 4.3):
//   [local header 30 B + name + extra][data] ... [central directory entries 46 B + name + extra + comment]
//   [zip64 end record][zip64 locator 20 B] [end record 22 B + comment]

export interface ZipEntry {
  name: string;
  /** Absolute offset of the entry's first data byte. */
  dataStart: number;
  size: number;
  crc32: number;
  /** The zip compression method: 0 stored (all that readZipEntry reads), 8 deflate, ... */
  method: number;
  encrypted: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const STORED = 0;

export type Fail = (problem: string) => never;

/** The archive's entries by name, in central-directory order. `fail` throws the caller's error. */
export function readZipDirectory(bytes: Uint8Array, fail: Fail): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const end = findEndRecord(view, fail);
  let count = u16(end + 10);
  let cdSize = u32(end + 12);
  let cdStart = u32(end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdStart === 0xffffffff) {
    // The real values are in the zip64 end record, which the locator just before this one points at.
    const loc = end - 20;
    if (loc < 0 || u32(loc) !== ZIP64_LOCATOR) fail("zip64 end record expected (the end record says so) but no zip64 locator found: truncated or corrupt");
    const at = safeU64(view, loc + 8, fail, "zip64 end record offset");
    if (at + 56 > bytes.length || u32(at) !== ZIP64_EOCD) fail(`no zip64 end record at offset ${at}: truncated or corrupt`);
    count = safeU64(view, at + 32, fail, "entry count");
    cdSize = safeU64(view, at + 40, fail, "central directory size");
    cdStart = safeU64(view, at + 48, fail, "central directory offset");
  }
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) fail("multi-disk (split) zip archives are not supported");
  if (cdStart + cdSize > bytes.length) fail(`central directory [${cdStart}, ${cdStart + cdSize}) runs past the end of the file (${bytes.length} bytes): truncated`);

  const entries = new Map<string, ZipEntry>();
  let p = cdStart;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdStart + cdSize || u32(p) !== CENTRAL) fail(`central directory entry ${i} of ${count} is missing or corrupt`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc32 = u32(p + 16);
    const compressed = u32(p + 20);
    const size = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    const localAt = u32(p + 42);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (size === 0xffffffff || compressed === 0xffffffff || localAt === 0xffffffff) fail(`entry "${name}": zip64 entries (4 GiB or more, or past 4 GiB) are not supported`);
    if (method === STORED && compressed !== size) fail(`entry "${name}": stored entry with compressed size ${compressed} != size ${size}`);
    if (localAt + 30 > bytes.length || u32(localAt) !== LOCAL) fail(`entry "${name}": no local header at offset ${localAt}: truncated or corrupt`);
    const dataStart = localAt + 30 + u16(localAt + 26) + u16(localAt + 28);
    if (dataStart + compressed > bytes.length) fail(`entry "${name}": data [${dataStart}, ${dataStart + compressed}) runs past the end of the file (${bytes.length} bytes): truncated`);
    if (entries.has(name)) fail(`entry "${name}" appears twice`);
    entries.set(name, { name, dataStart, size, crc32, method, encrypted: (flags & 1) !== 0 });
  }
  return entries;
}

/** A stored entry's bytes (a view into `bytes`, not a copy), after checking its CRC-32. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, fail: Fail): Uint8Array {
  const { name, method } = entry;
  if (entry.encrypted) fail(`entry "${name}" is encrypted`);
  if (method !== STORED) {
    fail(`entry "${name}" is compressed (zip method ${method}${method === 8 ? ", deflate" : ""}); torch.save stores entries uncompressed, so the file was re-zipped by another tool: unzip it and zip it again with "zip -0"`);
  }
  const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.size);
  const crc = crc32(data);
  if (crc !== entry.crc32) fail(`entry "${entry.name}": CRC-32 ${hex(crc)} != ${hex(entry.crc32)} in the directory: the file is corrupt`);
  return data;
}

/** The offset of the end-of-central-directory record: the last one, searched back over a comment of up to 64 KiB. */
function findEndRecord(view: DataView, fail: Fail): number {
  const n = view.byteLength;
  if (n < 22) fail(`${n} bytes: too short for a zip archive (truncated?)`);
  for (let p = n - 22; p >= Math.max(0, n - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === EOCD && p + 22 + view.getUint16(p + 20, true) === n) return p;
  }
  return fail("no zip end-of-central-directory record: the file is truncated or not a zip archive");
}

function safeU64(view: DataView, at: number, fail: Fail, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`zip64 ${what} ${v} is out of range`);
  return Number(v);
}

const hex = (x: number) => `0x${x.toString(16).padStart(8, "0")}`;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip records it. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
