// The optimizers' updates (the references: ../../../ref/optim.ts), bit for bit as the references
// compute them: SGD each value in float64 from the float32 operands, in the same order, rounded
// once when stored (as PyTorch's fused multiply-add rounds once), two values at a time; Adam in
// float32 op by op, four at a time. Every value depends only on its own index, so any split over
// threads gives the same bits.
// n: any count (a scalar tail for an odd one). The hyperparameters come as a record of float64
// values in memory (`h`): a thread's part arguments are integers (../../runtime/threads.ts).

// @ts-ignore: decorator
@inline function get2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function put2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** v as float32 values read back (what the reference reads from an array it has just stored). */
// @ts-ignore: decorator
@inline function rounded(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}

/**
 * One SGD step over n values: d = g + weightDecay w; with momentum, buf = first ? d :
 * momentum buf + (1 - dampening) d and w -= lr (nesterov ? d + momentum buf : buf); else w -= lr d.
 * NOTE: the decay term only where weightDecay != 0, as PyTorch: an infinite weight stays infinite.
 */
export function sgdUpdate(w: usize, g: usize, buf: usize, n: i32, h: usize): void {
  // h: lr, momentum, dampening, nesterov (0 or 1), weightDecay, first (0 or 1)
  const lr = load<f64>(h);
  const momentum = load<f64>(h, 8);
  const keep = 1 - load<f64>(h, 16);
  const nesterov = load<f64>(h, 24) != 0;
  const weightDecay = load<f64>(h, 32);
  const first = load<f64>(h, 40) != 0;
  const vlr = f64x2.splat(lr);
  const vmom = f64x2.splat(momentum);
  const vkeep = f64x2.splat(keep);
  const vwd = f64x2.splat(weightDecay);
  const decay = weightDecay != 0;
  const withMomentum = momentum != 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    const wv = get2(w + o);
    let d = get2(g + o);
    if (decay) d = f64x2.add(d, f64x2.mul(vwd, wv));
    let step = d;
    if (withMomentum) {
      const b = first ? d : f64x2.add(f64x2.mul(vmom, get2(buf + o)), f64x2.mul(vkeep, d));
      put2(buf + o, b);
      const br = rounded(b);
      step = nesterov ? f64x2.add(d, f64x2.mul(vmom, br)) : br;
    }
    put2(w + o, f64x2.sub(wv, f64x2.mul(vlr, step)));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const wv = <f64>load<f32>(w + o);
    let d = <f64>load<f32>(g + o);
    if (decay) d = d + weightDecay * wv;
    let step = d;
    if (withMomentum) {
      const b: f64 = first ? d : momentum * <f64>load<f32>(buf + o) + keep * d;
      store<f32>(buf + o, <f32>b);
      const br = <f64><f32>b;
      step = nesterov ? d + momentum * br : br;
    }
    store<f32>(w + o, <f32>(wv - lr * step));
  }
}

/**
 * One Adam step over n values, in float32 op by op: d = g + weightDecay w; m = b1 m + (1 - b1) d;
 * v = b2 v + ((1 - b2) d) d; w -= (stepSize m) / (sqrt(v) / bc2Sqrt + eps).
 */
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, n: i32, h: usize): void {
  // h: stepSize, b1, b2, eps, bc2Sqrt, weightDecay (float64, rounded to float32 here as the reference does)
  const stepSize = <f32>load<f64>(h);
  const b1 = <f32>load<f64>(h, 8);
  const b2 = <f32>load<f64>(h, 16);
  const eps = <f32>load<f64>(h, 24);
  const bc2Sqrt = <f32>load<f64>(h, 32);
  const weightDecay = <f32>load<f64>(h, 40);
  const a1: f32 = 1 - b1;
  const a2: f32 = 1 - b2;
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const va1 = f32x4.splat(a1);
  const va2 = f32x4.splat(a2);
  const vstep = f32x4.splat(stepSize);
  const veps = f32x4.splat(eps);
  const vbc2 = f32x4.splat(bc2Sqrt);
  const vwd = f32x4.splat(weightDecay);
  const decay = weightDecay != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const wv = v128.load(w + o);
    let d = v128.load(g + o);
    if (decay) d = f32x4.add(d, f32x4.mul(vwd, wv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(va1, d));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(va2, d), d));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(w + o, f32x4.sub(wv, f32x4.div(f32x4.mul(vstep, mv), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wv = load<f32>(w + o);
    let d = load<f32>(g + o);
    if (decay) d = d + weightDecay * wv;
    const mv: f32 = b1 * load<f32>(m + o) + a1 * d;
    const vv: f32 = b2 * load<f32>(v + o) + a2 * d * d;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(w + o, wv - (stepSize * mv) / (Mathf.sqrt(vv) / bc2Sqrt + eps));
  }
}
