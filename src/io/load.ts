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
 * @example model.loadStateDict(torch.load("lenet5.safetensors"))
 * @example model.loadStateDict(torch.load("resnet18.pt"))  // torch.save(model.state_dict(), "resnet18.pt")
 */
export function load(path: string): StateDict {
  return parseStateDict(readCheckpointFile(path, "load"), path);
}

/**
 * Reads whatever object a torch.save file holds, when it is more than a state dict (say
 * {"model": state_dict, "epoch": 3}): dicts as objects, lists and tuples as arrays, tensors.
 * @example const ckpt = io.loadPt("checkpoint.pt") as { model: StateDict }; model.loadStateDict(ckpt.model)
 */
export function loadPt(path: string): PtValue {
  return parsePt(readCheckpointFile(path, "load"), path);
}
