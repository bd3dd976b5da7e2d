// Preloaded (`node --import`) into a run that a test stops at an exact moment: the process sends
// itself SIGKILL at the KILL_ON_RENAME-th fs.renameSync call (1-based), before that rename
// happens. train/checkpoint.ts's saves are made of renames (the old sidecar aside to ".prev",
// then the new sidecar's and the model file's temp files into place), so counting them picks a
// moment between steps or inside a checkpoint write.

import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const at = Number(process.env.KILL_ON_RENAME);
if (Number.isInteger(at) && at > 0) {
  const rename = fs.renameSync;
  let calls = 0;
  fs.renameSync = (from: fs.PathLike, to: fs.PathLike): void => {
    if (++calls === at) {
      process.kill(process.pid, "SIGKILL");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000); // the rename must not happen meanwhile
    }
    rename(from, to);
  };
  // The modules that imported renameSync by name see the wrapper too.
  syncBuiltinESMExports();
}
