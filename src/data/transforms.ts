// Image transforms, as torchvision.transforms: toTensor, normalize, resize, compose.
// A transform maps an image Tensor (C,H,W) to a Tensor. Transforms that act per channel and
// position-wise (normalize) also accept a batch (N,C,H,W) and are marked `batchable`, so a
// dataset can apply them once to a whole batch instead of once per image (the fast path).

import { noGrad } from "../autograd/grad-mode.js";
import { interpolate } from "../ops/interpolate.js";
import { Tensor } from "../tensor.js";

/** An image transform: a function of a tensor, marked batchable when it works on a (N, C, H, W) batch as well. */
export interface Transform {
  (x: Tensor): Tensor;
  /** True when the transform gives the same result on a (N,C,H,W) batch as image by image. */
  batchable?: boolean;
}

/**
 * Bytes 0..255 to float32 in [0,1], shaped (C,H,W); an (H,W) shape gets C = 1.
 * NOTE: torchvision's ToTensor takes HWC images and permutes them; IDX files already store
 * channels first (or have none), so the bytes are taken as (H,W) or (C,H,W).
 * @example data.toTensor(new Uint8Array([0, 255]), [1, 2]) // => [[[0, 1]]]
 */
export function toTensor(bytes: Uint8Array, shape: readonly number[]): Tensor {
  if (shape.length !== 2 && shape.length !== 3) {
    throw new RangeError(`toTensor: expected an (H,W) or (C,H,W) shape, got [${shape.join(", ")}]`);
  }
  const out = new Float32Array(bytes.length);
  bytesToUnit(bytes, 0, out, 0, bytes.length);
  return new Tensor(out, shape.length === 2 ? [1, ...shape] : shape);
}

/**
 * out[dst + i] = bytes[src + i] / 255 for i < n: the one place the scaling lives (also used for
 * batches). Offsets rather than subarrays: no allocation per image in a batch.
 */
export function bytesToUnit(bytes: Uint8Array, src: number, out: Float32Array, dst: number, n: number): void {
  for (let i = 0; i < n; i++) out[dst + i] = bytes[src + i] / 255;
}

/**
 * (x - mean[c]) / std[c] for each channel c, as torchvision's Normalize; a number applies to
 * every channel. Works on (C,H,W) and on batches (N,C,H,W). Returns a new tensor, no autograd.
 * @example data.normalize(0.5, 0.5)(torch.tensor([[[0, 1]]])) // => [[[-1, 1]]]
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const means = typeof mean === "number" ? [mean] : [...mean];
  const stds = typeof std === "number" ? [std] : [...std];
  if (stds.some((s) => s === 0)) throw new RangeError(`normalize: std evaluated to zero: [${stds.join(", ")}]`);
  const t: Transform = (x: Tensor): Tensor => {
    if (x.ndim < 3) throw new RangeError(`normalize: expected (C,H,W) or (N,C,H,W), got [${x.shape.join(", ")}]`);
    const C = x.shape[x.ndim - 3];
    const HW = x.shape[x.ndim - 2] * x.shape[x.ndim - 1];
    const m = perChannel("mean", means, C);
    const s = perChannel("std", stds, C);
    const out = new Float32Array(x.numel);
    const src = x.data;
    for (let base = 0; base < out.length; base += C * HW) {
      for (let c = 0; c < C; c++) {
        const mc = m[c], sc = s[c], o = base + c * HW;
        for (let i = o; i < o + HW; i++) out[i] = (src[i] - mc) / sc;
      }
    }
    return new Tensor(out, x.shape);
  };
  t.batchable = true;
  return t;
}

function perChannel(what: string, values: number[], C: number): number[] {
  if (values.length === 1) return new Array<number>(C).fill(values[0]);
  if (values.length !== C) throw new RangeError(`normalize: ${values.length} ${what} values for ${C} channels`);
  return values;
}

/**
 * Bilinear resizing, as torchvision's Resize on a tensor with antialias off (F.interpolate,
 * alignCorners false). A number sets the smaller edge and keeps the aspect ratio (the other
 * edge is floor(size * long / short)); [h, w] sets both. Works on (C,H,W) and (N,C,H,W).
 * @example data.transforms.resize(96)(torch.zeros([1, 28, 28])) // shape [1, 96, 96]
 * @throws RangeError on a size that is not a positive integer, or an input that is not 3-D or 4-D.
 */
export function resize(size: number | readonly [number, number]): Transform {
  const sizes = typeof size === "number" ? [size] : [...size];
  if (sizes.length < 1 || sizes.length > 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new RangeError(`resize: size must be a positive integer or [h, w], got ${JSON.stringify(size)}`);
  }
  const t: Transform = (x: Tensor): Tensor => {
    if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`resize: expected (C,H,W) or (N,C,H,W), got [${x.shape.join(", ")}]`);
    const [H, W] = x.shape.slice(-2);
    const short = Math.min(H, W);
    const out = sizes.length === 2 ? sizes : H <= W ? [sizes[0], Math.floor((sizes[0] * W) / short)] : [Math.floor((sizes[0] * H) / short), sizes[0]];
    const batch = x.ndim === 4 ? x : x.reshape([1, ...x.shape]);
    const y = noGrad(() => interpolate(batch, { size: out, mode: "bilinear", alignCorners: false }));
    return x.ndim === 4 ? y : y.reshape(y.shape.slice(1));
  };
  t.batchable = true;
  return t;
}

/**
 * torchvision's class name for resize().
 * @example data.transforms.Resize([2, 3])(torch.zeros([1, 4, 4])) // shape [1, 2, 3]
 */
export const Resize = resize;

/**
 * Applies the transforms in order; batchable when every one of them is.
 * @example data.compose([data.normalize(0.5, 0.5), data.resize(4)])(torch.ones([1, 2, 2])) // => [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]
 */
export function compose(transforms: readonly ((x: Tensor) => Tensor)[]): Transform {
  const t: Transform = (x: Tensor): Tensor => transforms.reduce((y, f) => f(y), x);
  t.batchable = transforms.every((f) => (f as Transform).batchable === true);
  return t;
}
