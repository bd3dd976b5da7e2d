// A run killed with SIGKILL mid-epoch (at whatever moment the signal lands: in a step, between
// steps or inside a checkpoint write) and resumed in a new process ends with the same bytes as
// the run that was never interrupted: the model file and the sidecar (optimizer state, generator
// and loader states). The run is test/train/resume-run.ts (Adam, dropout, shuffled data).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { optimizerStatePath } from "../../src/train/checkpoint.js";
import { checkpointPath, STEPS } from "./resume-run.js";

const SCRIPT = fileURLToPath(new URL("./resume-run.js", import.meta.url));

interface Child { lines: string[]; code: number | null; signal: NodeJS.Signals | null }

/** Runs the script; `killWhen` sees each line and may return a delay after which SIGKILL is sent. */
function run(args: string[], killWhen?: (line: string) => number | undefined): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let buf = "", err = "", armed = false;
    child.stdout.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const delay = armed ? undefined : killWhen?.(line);
        if (delay !== undefined) {
          armed = true;
          setTimeout(() => child.kill("SIGKILL"), delay);
        }
      }
    });
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0 && signal !== "SIGKILL") reject(new Error(`resume-run ${args.join(" ")} exited ${code}: ${err}`));
      else resolve({ lines, code, signal });
    });
  });
}

const lossLines = (c: Child) => new Map(c.lines.filter((l) => l.startsWith("step ")).map((l) => [Number(l.split(" ")[1]), l]));

test("killed with SIGKILL mid-epoch and resumed, the run's files equal the straight run's byte for byte", { timeout: 120000 }, async () => {
  const straightDir = mkdtempSync(join(tmpdir(), "torchlet-kill-"));
  const dir = mkdtempSync(join(tmpdir(), "torchlet-kill-"));
  try {
    const straight = await run([straightDir, "adam"]);
    assert.equal(straight.lines.at(-1), "done");
    // Killed 0-60 ms after checkpoint 10 was written (steps 9-16 are the second pass; each step
    // is followed by a 50 ms pause, so the signal lands in step 11 or 12, sometimes inside step
    // 12's checkpoint write, and well before the pass ends even when this process reads late).
    const killed = await run([dir, "adam", "--slow", "50"], (l) => (l === "saved 10" ? Math.random() * 60 : undefined));
    assert.equal(killed.signal, "SIGKILL");
    assert.ok(!killed.lines.includes("done"), "the run was killed before it ended");
    const lastSaved = Math.max(...killed.lines.filter((l) => l.startsWith("saved ")).map((l) => Number(l.slice(6))));
    assert.ok(lastSaved >= 10 && lastSaved < 16, `killed in the second pass (last checkpoint reported: ${lastSaved})`);
    const resumed = await run([dir, "adam", "--resume"]);
    assert.equal(resumed.lines.at(-1), "done");
    const expected = lossLines(straight), got = lossLines(resumed);
    const first = Math.min(...got.keys());
    assert.ok(first >= 11 && first <= lastSaved + 3, `resumed at step ${first}`);
    assert.equal(got.size, STEPS - first + 1);
    for (const [s, line] of got) assert.equal(line, expected.get(s));
    for (const file of [checkpointPath, (d: string) => optimizerStatePath(checkpointPath(d))]) {
      assert.ok(readFileSync(file(dir)).equals(readFileSync(file(straightDir))), `${file(dir)} equals the straight run's`);
    }
  } finally {
    rmSync(straightDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
