// Which checkpoint format a file's bytes are in, from their first bytes (pure, no node:), and
// the state dict in them: torch.load(path) reads torchlet's safetensors and PyTorch's .pt alike.

import { parsePt, ptStateDict } from "./pt.js";
import { parseSafetensors, type StateDict } from "./safetensors-codec.js";

/** What a checkpoint's first bytes say it is: safetensors, torch.save's zip (pt) or legacy format, a bare pickle, or unknown. */
export type CheckpointFormat = "safetensors" | "pt" | "pt-legacy" | "pickle" | "unknown";

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4", a zip archive's first local header
// torch.save's legacy format opens with pickle.dump(0x1950a86a20f9469cfc6c): PROTO 2, LONG1 10 bytes.
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * The format of a checkpoint, told by its first bytes (not its file name).
 * @example io.checkpointFormat(torch.serializeSafetensors({ w: torch.zeros([1]) })) // => "safetensors"
 */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  const startsWith = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (startsWith(ZIP_MAGIC)) return "pt";
  if (startsWith(LEGACY_MAGIC)) return "pt-legacy";
  // The oldest torch.save wrote a tar archive ("ustar" at offset 257).
  if (new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar") return "pt-legacy";
  if (bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return "pickle";
  // safetensors: u64 header length, then the JSON header's "{".
  return bytes.length >= 9 && bytes[8] === 0x7b ? "safetensors" : "unknown";
}

/**
 * The state dict in a checkpoint's bytes: a safetensors file, or a .pt / .pth written by
 * torch.save(model.state_dict(), path). `source` names the file in error messages.
 */
export function parseStateDict(bytes: Uint8Array, source: string): StateDict {
  const fail = (problem: string): never => { throw new Error(`load: ${source}: ${problem}`); };
  switch (checkpointFormat(bytes)) {
    case "pt": return ptStateDict(parsePt(bytes, source), source);
    case "pt-legacy":
      return fail("PyTorch's legacy format (torch.save with _use_new_zipfile_serialization=False, or PyTorch < 1.6) is not supported: in PyTorch >= 1.6, torch.save(torch.load(path), path) rewrites it as a zip archive");
    case "pickle":
      return fail("a bare pickle (pickle.dump), not a torch.save zip archive; pickles can run code when loaded and are not read here");
    default:
      // safetensors, or neither format: the safetensors reader's errors say what is wrong.
      return parseSafetensors(bytes, source).tensors;
  }
}
