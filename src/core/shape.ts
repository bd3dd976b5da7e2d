// Shape arithmetic shared by every op: sizes, strides, broadcasting, dim normalisation.

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C-contiguous) strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Wraps a possibly negative dim into [0, ndim); throws naming the op when out of range. */
export function normDim(op: string, dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(ndim, 1)) {
    throw new RangeError(
      `${op}: dimension out of range (expected to be in range of [${-Math.max(ndim, 1)}, ${Math.max(ndim, 1) - 1}], but got ${dim})`,
    );
  }
  return d;
}

export function canBroadcast(a: readonly number[], b: readonly number[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i <= n; i++) {
    const da = a[a.length - i];
    const db = b[b.length - i];
    if (da !== db && da !== 1 && db !== 1) return false;
  }
  return true;
}

/** NumPy/PyTorch broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together (size ${da} vs ${db} at dimension ${i})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides with which to read a tensor of `shape` as if it had `outShape` (broadcast dims get
 * stride 0). `shape` is right-aligned against `outShape`.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : own[i - off]));
}

/** Resolves a reshape target with at most one -1. */
export function inferShape(op: string, from: readonly number[], to: readonly number[]): number[] {
  const n = numelOf(from);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < to.length; i++) {
    const s = to[i];
    if (s === -1) {
      if (unknown >= 0) throw new RangeError(`${op}: only one dimension can be inferred, got ${shapeStr(to)}`);
      unknown = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`${op}: invalid shape dimension ${s} in ${shapeStr(to)}`);
    } else known *= s;
  }
  const out = [...to];
  if (unknown >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new RangeError(`${op}: shape ${shapeStr(to)} is invalid for input of size ${n} (shape ${shapeStr(from)})`);
    }
    out[unknown] = n / known;
  } else if (known !== n) {
    throw new RangeError(`${op}: shape ${shapeStr(to)} is invalid for input of size ${n} (shape ${shapeStr(from)})`);
  }
  return out;
}
