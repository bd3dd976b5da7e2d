// Pooling through the WebAssembly module, same contracts as src/kernels/ref/pool.ts.
// Threads take blocks of planes (each with its own geometry record, planes in the N field).
// Float64 goes to the reference kernels.

import type { Storage } from "../../../core/dtype.js";
import * as ref from "../../ref/pool.js";
import type { PoolGeometry } from "../../ref/pool.js";
import type { Activation } from "../../ref/elementwise.js";
import { activateAndGet } from "../elementwise/activation.js";
import { lightParts, ranges, type WasmContext } from "../runtime/context.js";
import { putPlanesGeometry } from "../runtime/geometry.js";
import type { KernelName } from "../runtime/signatures.js";

/** Input values per thread below which another thread costs more than it saves. */
const POOL_WORK_PER_THREAD = 1 << 16;

export function makePoolKernels(ctx: WasmContext) {
  const { arena } = ctx;
  /**
   * Runs `fn` over blocks of planes: `place` copies in / allocates the operands (in the export's
   * argument order after the geometry) with their floats per plane; returns their addresses.
   */
  const planes = (fn: KernelName, g: PoolGeometry, place: () => [number, number][], extra: number[] | ((geo: number) => number[])) => {
    const threads = ctx.threads(g.NC * g.H * g.W, POOL_WORK_PER_THREAD);
    arena.reset();
    const ops = place();
    const parts = ranges(g.NC, lightParts(threads)).map(([p0, p1]) => {
      const geo = putPlanesGeometry(arena, g, p1 - p0);
      return [geo, ...ops.map(([addr, perPlane]) => addr + 4 * p0 * perPlane), ...(typeof extra === "function" ? extra(geo) : extra)];
    });
    ctx.run(fn, parts);
    return ops.map(([addr]) => addr);
  };
  const sizes = (g: PoolGeometry) => ({ nx: g.NC * g.H * g.W, ny: g.NC * g.OH * g.OW, xp: g.H * g.W, yp: g.OH * g.OW });
  return {
    avgPool2dForward(g: PoolGeometry, x: Storage, y: Storage, countIncludePad: boolean, act?: Activation): void {
      if (!(x instanceof Float32Array && y instanceof Float32Array)) return ref.avgPool2dForward(g, x, y, countIncludePad, act);
      const { nx, ny, xp, yp } = sizes(g);
      const [, py] = planes("avgPool2dForward", g, () => [[arena.put(x, 0, nx), xp], [arena.output(y, 0, ny), yp]], [+countIncludePad]);
      activateAndGet(ctx, act, py, ny, y);
    },
    avgPool2dBackward(g: PoolGeometry, dy: Storage, dx: Storage, countIncludePad: boolean): void {
      if (!(dy instanceof Float32Array && dx instanceof Float32Array)) return ref.avgPool2dBackward(g, dy, dx, countIncludePad);
      const { nx, ny, xp, yp } = sizes(g);
      const [, pdx] = planes("avgPool2dBackward", g, () => [[arena.put(dy, 0, ny), yp], [arena.output(dx, 0, nx), xp]], [+countIncludePad]);
      arena.get(pdx, nx, dx, 0);
    },
    maxPool2dForward(g: PoolGeometry, x: Storage, y: Storage, argmax: Int32Array, act?: Activation): void {
      if (!(x instanceof Float32Array && y instanceof Float32Array)) return ref.maxPool2dForward(g, x, y, argmax, act);
      const { nx, ny, xp, yp } = sizes(g);
      // each part's scratch for the stride-1 and stride-2 kernel (../assembly/pool/pool.ts maxStridedForward)
      const scratch = (geo: number) => [arena.alloc(ctx.wasm.maxPoolScratch(geo))];
      const [, py, pa] = planes("maxPool2dForward", g, () => [[arena.put(x, 0, nx), xp], [arena.output(y, 0, ny), yp], [arena.alloc(ny), yp]], scratch);
      activateAndGet(ctx, act, py, ny, y);
      argmax.set(arena.i32.subarray(pa / 4, pa / 4 + ny));
    },
    maxPool2dBackward(g: PoolGeometry, dy: Storage, argmax: Int32Array, dx: Storage): void {
      if (!(dy instanceof Float32Array && dx instanceof Float32Array)) return ref.maxPool2dBackward(g, dy, argmax, dx);
      const { nx, ny, xp, yp } = sizes(g);
      const place = (): [number, number][] => {
        const pa = arena.alloc(ny);
        arena.i32.set(argmax, pa / 4);
        return [[arena.put(dy, 0, ny), yp], [pa, yp], [arena.output(dx, 0, nx), xp]];
      };
      const [, , pdx] = planes("maxPool2dBackward", g, place, []);
      arena.get(pdx, nx, dx, 0);
    },
  };
}
