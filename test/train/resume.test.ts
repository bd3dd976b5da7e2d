// Exact resume in the library: a small run (conv net with dropout, shuffled data, SGD with
// momentum or Adam) stopped mid-epoch, saved with saveCheckpoint and restored into fresh objects,
// ends with the same bytes on disk (weights, optimizer state, generator and loader states) as the
// uninterrupted run. Also: which sidecar belongs to a model file after a crash mid-save.

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../../src/index.js";
import { loadCheckpoint, loadTrainingState, optimizerStatePath, previousSidecarPath, saveCheckpoint } from "../../src/train/checkpoint.js";
import { checkpointPath, runTiny, STEPS, type TinyRun } from "./resume-run.js";

function withDirs(fn: (mk: () => string) => void): void {
  const dirs: string[] = [];
  try {
    fn(() => {
      const d = mkdtempSync(join(tmpdir(), "torchlet-resume-"));
      dirs.push(d);
      return d;
    });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Runs and returns the per-step losses by step number. */
function losses(o: TinyRun): Map<number, string> {
  const out = new Map<number, string>();
  runTiny({ ...o, log: (l) => { const m = /^step (\d+) (.*)$/.exec(l); if (m) out.set(Number(m[1]), m[2]); } });
  return out;
}

const files = (dir: string) => [checkpointPath(dir), optimizerStatePath(checkpointPath(dir))].map((f) => readFileSync(f));

for (const optimizer of ["sgd", "adam"] as const) {
  test(`${optimizer}: stopped after a step mid-epoch and resumed in fresh objects, the files equal the straight run's byte for byte`, () => {
    withDirs((mk) => {
      const straightDir = mk();
      const expected = losses({ dir: straightDir, optimizer });
      assert.equal(expected.size, STEPS);
      const want = files(straightDir);
      // Stops mid-pass (steps 9-16 are the second pass), right after a checkpoint (10) or one step
      // past it (13: the resume repeats step 13 from checkpoint 12), and in the first pass (3).
      for (const stopAfter of [10, 13, 3]) {
        const dir = mk();
        losses({ dir, optimizer, stopAfter });
        torch.manualSeed(4321); // the restore must not depend on what the generator did meanwhile
        torch.randn([7]);
        const resumed = losses({ dir, optimizer, resume: true });
        const from = stopAfter - (stopAfter % 2) + 1;
        assert.deepEqual([...resumed.keys()], Array.from({ length: STEPS - from + 1 }, (_, i) => from + i), "the resumed run continues at the step after its checkpoint");
        for (const [s, loss] of resumed) assert.equal(loss, expected.get(s), `step ${s} loss`);
        const got = files(dir);
        assert.ok(got[0].equals(want[0]), `model file after stopping at ${stopAfter}`);
        assert.ok(got[1].equals(want[1]), `sidecar (optimizer, generator and loader state) after stopping at ${stopAfter}`);
      }
      // The straight run's checkpoint holds state that matters: its momentum buffers / moments.
      const state = loadTrainingState(checkpointPath(straightDir));
      assert.ok(state && Object.keys(state.optimizer).length >= 4);
      assert.ok(state.run?.rng && state.run.loader);
    });
  });
}

test("Optimizer stateDict / loadStateDict round-trip exactly through the sidecar (SGD momentum, Adam moments and step)", () => {
  withDirs((mk) => {
    const dir = mk();
    const path = join(dir, "m.safetensors");
    for (const make of [
      (ps: torch.Tensor[]) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }),
      (ps: torch.Tensor[]) => new torch.optim.Adam(ps, { lr: 0.01, weightDecay: 0.1 }),
    ]) {
      torch.manualSeed(3);
      const model = new torch.nn.Linear(5, 4);
      const opt = make(model.parameters());
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        torch.sum(torch.mul(model.forward(torch.randn([6, 5])), torch.randn([6, 4]))).backward();
        opt.step();
      }
      saveCheckpoint(path, model, { epoch: "1" }, opt);
      const fresh = make(new torch.nn.Linear(5, 4).parameters());
      fresh.loadStateDict(loadTrainingState(path, "1")!.optimizer);
      const a = opt.stateDict(), b = fresh.stateDict();
      assert.deepEqual(Object.keys(b), Object.keys(a));
      for (const k of Object.keys(a)) assert.deepEqual(b[k], a[k], k); // typed arrays: same type, same values
    }
  });
});

test("after a crash mid-save the model file finds the sidecar that belongs to it (.prev); another run's sidecar is refused", () => {
  withDirs((mk) => {
    const dir = mk();
    const path = join(dir, "c.safetensors");
    torch.manualSeed(1);
    const model = new torch.nn.Linear(3, 2);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const stepAndSave = (step: number) => {
      opt.zeroGrad();
      torch.sum(model.forward(torch.randn([4, 3]))).backward();
      opt.step();
      saveCheckpoint(path, model, { step: String(step) }, opt, { rng: torch.getRngState(), step });
    };
    stepAndSave(1);
    const oldModel = join(dir, "old.safetensors");
    copyFileSync(path, oldModel);
    stepAndSave(2);
    assert.equal(loadTrainingState(path)?.run?.step, 2);
    assert.equal(loadTrainingState(path)?.sidecar, optimizerStatePath(path));
    // Killed after the new sidecar was written but before the new model file replaced the old one.
    copyFileSync(oldModel, path);
    const state = loadTrainingState(path);
    assert.equal(state?.run?.step, 1);
    assert.equal(state?.sidecar, previousSidecarPath(path));
    // Killed between moving the old sidecar aside and writing the new one.
    unlinkSync(optimizerStatePath(path));
    assert.equal(loadTrainingState(path)?.run?.step, 1);
    // A model file no sidecar belongs to (another run's weights under the same name).
    torch.save(new torch.nn.Linear(3, 2), path, { step: "1" });
    assert.equal(loadTrainingState(path), null);
    assert.equal(loadCheckpoint(path).info.step, "1");
  });
});
