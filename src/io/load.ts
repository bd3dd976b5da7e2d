// torch.load(path): a state dict from a torchlet checkpoint (safetensors) or from PyTorch's own
// .pt / .pth (torch.save(model.state_dict(), path)); and io.loadPt for a .pt's whole object.

import { parseStateDict } from "./formats.js";
import { parsePt, type PtValue } from "./pt.js";
import { readCheckpointFile } from "./read-file.js";
import type { StateDict } from "./safetensors-codec.js";

/**
 * Reads a state dict from a .safetensors file or from a PyTorch .pt / .pth file (the format is
 * told by the file's first bytes, not its name). F64 / float64 stays float64; every other dtype
 * (F16, BF16, integers, bool) becomes float32. A .pt is read as PyTorch's
 * torch.load(path, weights_only=True) would: no code in it is ever run.
 * A state dict PyTorch wrote with `torch.save(model.state_dict(), "resnet18.pt")` loads with
 * `model.loadStateDict(torch.load("resnet18.pt"))`.
 * @throws Error when the file is missing or holds no state dict in a format it reads.
 * @example
 * io.save(models.lenet5(), "lenet5.safetensors");
 * const model = models.lenet5();
 * model.loadStateDict(torch.load("lenet5.safetensors")) // => { missingKeys: [], unexpectedKeys: [] }
 * torch.load("missing.pt") // throws Error: not found
 */
export function load(path: string): StateDict {
  return parseStateDict(readCheckpointFile(path, "load"), path);
}

/**
 * Reads whatever object a torch.save file holds, when it is more than a state dict (say
 * {"model": state_dict, "epoch": 3}): dicts as objects, lists and tuples as arrays, tensors.
 * For instance `const ckpt = io.loadPt("checkpoint.pt") as { model: StateDict }; model.loadStateDict(ckpt.model)`.
 * @throws Error when the file is missing or is not a torch.save file.
 * @example io.loadPt("missing.pt") // throws Error: not found
 */
export function loadPt(path: string): PtValue {
  return parsePt(readCheckpointFile(path, "load"), path);
}
