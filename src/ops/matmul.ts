// Matrix products: matmul (1-D, 2-D and batched) and linear (x W^T + b, the fused layer op).
// Shapes: x is (N, IN), W is (OUT, IN), y is (N, OUT).

import { makeResult } from "../autograd/function.js";
import { adoptAllocation, alloc, promote, type Storage } from "../core/dtype.js";
import { broadcastShapes, canBroadcast, numelOf, shapeStr } from "../core/shape.js";
import { forEachBroadcast } from "./broadcast.js";
import { gemmFor, gemmPairFor, type GemmArgs } from "../kernels/index.js";
import { Tensor } from "../tensor.js";
import { reshape, squeeze, unsqueeze } from "./shape.js";

/**
 * a (..., M, K) @ b (K, N) or (..., K, N) with broadcast batch dims; 1-D operands as PyTorch.
 * @throws RangeError when the inner sizes differ or the batch dims cannot be broadcast.
 * @example torch.matmul(torch.tensor([[1, 2]]), torch.tensor([[3], [4]])) // => [[11]]
 * @example torch.matmul(torch.zeros([5, 2, 3]), torch.zeros([3, 4])) // shape [5, 2, 4]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError(`matmul: both arguments need at least 1 dimension, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.ndim === 1 || b.ndim === 1) {
    // Checked here so that the message names the caller's shapes, not the unsqueezed ones.
    const [K, K2] = [a.shape[a.ndim - 1], b.shape[Math.max(b.ndim - 2, 0)]];
    if (K !== K2) throw new RangeError(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} cannot be multiplied (inner sizes ${K} and ${K2})`);
  }
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), []);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) {
    throw new RangeError(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} cannot be multiplied (${M}x${K} and ${K2}x${N})`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (b.ndim === 2) {
    // Fold a's batch dims into its rows: one GEMM.
    const y = mm(reshape(a, [numelOf(batchA) * M, K]), b);
    return reshape(y, [...batchA, M, N]);
  }
  return bmm(a, b, M, K, N);
}

function mm(a: Tensor, b: Tensor): Tensor {
  return bmm(a, b, a.shape[0], a.shape[1], b.shape[1]);
}

/**
 * (..., M, K) @ (..., K, N) with the batch dims broadcast as PyTorch does: pairs[i] holds the
 * batch offsets (in matrices) of a and b for output matrix i.
 */
function bmm(a: Tensor, b: Tensor, M: number, K: number, N: number): Tensor {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (!canBroadcast(batchA, batchB)) {
    throw new RangeError(`matmul: batch dimensions of ${shapeStr(a.shape)} and ${shapeStr(b.shape)} cannot be broadcast together (${shapeStr(batchA)} vs ${shapeStr(batchB)})`);
  }
  const batch = broadcastShapes("matmul", batchA, batchB);
  const pairs: [number, number][] = [];
  forEachBroadcast(batch, batchA, batchB, (_o, ia, ib) => pairs.push([ia, ib]));
  const dtype = promote(a.dtype, b.dtype);
  const y = alloc(dtype, pairs.length * M * N);
  pairs.forEach(([ia, ib], i) => {
    gemmFor(M, N, K)({ transA: false, transB: false, M, N, K, A: a.data, aOffset: ia * M * K, B: b.data, bOffset: ib * K * N, C: y, cOffset: i * M * N });
  });
  return makeResult("matmul", y, [...batch, M, N], [a, b], [
    (dy) => {
      // da = dy @ b^T, summed over the batch entries that share a slice of a
      const da = alloc(a.dtype, a.numel);
      pairs.forEach(([ia, ib], i) => {
        gemmFor(M, K, N)({ transA: false, transB: true, M, N: K, K: N, A: dy, aOffset: i * M * N, B: b.data, bOffset: ib * K * N, C: da, cOffset: ia * M * K, accumulate: true });
      });
      return da;
    },
    (dy) => {
      // db = a^T @ dy, likewise summed
      const db = alloc(b.dtype, b.numel);
      pairs.forEach(([ia, ib], i) => {
        gemmFor(K, N, M)({ transA: true, transB: false, M: K, N, K: M, A: a.data, aOffset: ia * M * K, B: dy, bOffset: i * M * N, C: db, cOffset: ib * K * N, accumulate: true });
      });
      return db;
    },
  ]);
}

/**
 * y = x W^T + b over the last dim of x (any leading dims).
 * x: (..., in), weight: (out, in), bias: (out) -> (..., out).
 * @throws RangeError when x's last dim is not `in` or the bias is not (out).
 * @example F.linear(torch.ones([4, 3]), torch.ones([2, 3]), torch.tensor([0, 1])) // => [[3, 4], [3, 4], [3, 4], [3, 4]]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`linear: expected a 2-D weight (out, in), got shape ${shapeStr(weight.shape)}`);
  const [OUT, IN] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== IN) {
    throw new RangeError(`linear: expected input with last dimension ${IN}, got shape ${shapeStr(x.shape)} (weight shape ${shapeStr(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OUT)) {
    throw new RangeError(`linear: expected bias of shape [${OUT}], got ${shapeStr(bias.shape)}`);
  }
  const N = x.numel / IN;
  const dtype = promote(x.dtype, weight.dtype);
  const y = alloc(dtype, N * OUT);
  if (bias) for (let n = 0; n < N; n++) y.set(bias.data, n * OUT);
  gemmFor(N, OUT, IN)({ transA: false, transB: true, M: N, N: OUT, K: IN, A: x.data, B: weight.data, C: y, accumulate: !!bias });
  const outShape = [...x.shape.slice(0, -1), OUT];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const dwArgs = (dy: Storage, dw: Storage): GemmArgs => ({ transA: true, transB: false, M: OUT, N: IN, K: N, A: dy, B: x.data, C: dw }); // dW = dy^T (OUT, N) @ x (N, IN)
  // The engine asks for dx, then dW, with the same dy: when both are wanted, one call computes
  // them side by side (kernels gemmPair: one product per thread) and dW waits here for its turn.
  let dwFromDx: { dy: Storage; dw: Storage } | null = null;
  return makeResult("linear", y, outShape, inputs, [
    (dy) => {
      const dx = alloc(x.dtype, x.numel); // dx = dy (N, OUT) @ W (OUT, IN)
      const dxArgs: GemmArgs = { transA: false, transB: false, M: N, N: IN, K: OUT, A: dy, B: weight.data, C: dx };
      if (!weight.requiresGrad) gemmFor(N, IN, OUT)(dxArgs);
      else {
        dwFromDx = { dy, dw: alloc(weight.dtype, weight.numel) };
        gemmPairFor(dxArgs, dwArgs(dy, dwFromDx.dw));
      }
      return dx;
    },
    (dy) => {
      const early = dwFromDx;
      dwFromDx = null;
      if (early !== null && early.dy === dy) {
        adoptAllocation(early.dw);
        return early.dw;
      }
      const dw = alloc(weight.dtype, weight.numel);
      gemmFor(OUT, IN, N)(dwArgs(dy, dw));
      return dw;
    },
    (dy) => {
      const db = alloc(dtype, OUT);
      for (let n = 0; n < N; n++) for (let o = 0; o < OUT; o++) db[o] += dy[n * OUT + o];
      return db;
    },
  ]);
}
