// The checkpoints the explorer knows: built at start-up from --checkpoint and the runs folder,
// extended by the runs it trains. Requests name a checkpoint by its id (a slug of the file
// name, e.g. "lenet5-sparse"); the path stays on the server.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseSafetensors } from "../io/safetensors-codec.js";
import { metricsPath } from "../train/metrics.js";

export interface CheckpointEntry {
  id: string;
  /** The file name, for display. */
  name: string;
  bytes: number;
  modified: string;
  /** The safetensors __metadata__ (model, c3, epoch, ... for checkpoints written by torchlet train). */
  metadata: Record<string, string>;
  /** Parameter names and shapes, so the page can pick the architecture before downloading. */
  tensors: Record<string, number[]>;
  /** Whether a metrics log (<checkpoint>.metrics.jsonl) sits next to it. */
  hasMetrics: boolean;
}

const SIDECAR = /\.optim\.safetensors$/;

export class CheckpointRegistry {
  private readonly entries = new Map<string, { entry: CheckpointEntry; path: string }>();
  /** Files that could not be read at start-up, with the reason (shown by `torchlet serve`). */
  readonly skipped: string[] = [];

  /** Registers `explicit` (an error if unreadable: the user named it) and every readable checkpoint in `runsDir`. */
  constructor(explicit: string | undefined, readonly runsDir: string) {
    if (explicit !== undefined) this.add(explicit);
    if (existsSync(runsDir)) {
      for (const name of readdirSync(runsDir).sort()) {
        if (!name.endsWith(".safetensors") || SIDECAR.test(name)) continue;
        const path = join(runsDir, name);
        if (explicit !== undefined && resolve(path) === resolve(explicit)) continue;
        try {
          this.add(path);
        } catch (e) {
          this.skipped.push(`${path}: ${(e as Error).message}`);
        }
      }
    }
  }

  /** Reads and registers a checkpoint; returns its entry (the existing one if already known). */
  add(path: string): CheckpointEntry {
    for (const { entry, path: p } of this.entries.values()) if (resolve(p) === resolve(path)) return this.refresh(entry.id);
    const entry = describe(path, this.freshId(path));
    this.entries.set(entry.id, { entry, path });
    return entry;
  }

  list(): CheckpointEntry[] {
    return [...this.entries.values()].map((e) => e.entry);
  }

  /** The file's bytes, or undefined for an unknown id. */
  bytes(id: string): Uint8Array | undefined {
    const e = this.entries.get(id);
    return e && readFileSync(e.path);
  }

  /** The metrics log's lines parsed as JSON, or undefined when there is none. */
  metrics(id: string): unknown[] | undefined {
    const e = this.entries.get(id);
    if (!e?.entry.hasMetrics) return undefined;
    const text = readFileSync(metricsPath(e.path), "utf8");
    return text.split("\n").filter((l) => l.trim()).flatMap((l) => {
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return []; // a line being written while we read
      }
    });
  }

  private refresh(id: string): CheckpointEntry {
    const e = this.entries.get(id)!;
    e.entry = describe(e.path, id);
    return e.entry;
  }

  private freshId(path: string): string {
    const base = basename(path).replace(/\.safetensors$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "checkpoint";
    let id = base;
    for (let n = 2; this.entries.has(id); n++) id = `${base}-${n}`;
    return id;
  }
}

function describe(path: string, id: string): CheckpointEntry {
  const { tensors, metadata } = parseSafetensors(readFileSync(path), path);
  const st = statSync(path);
  return {
    id,
    name: basename(path),
    bytes: st.size,
    modified: st.mtime.toISOString(),
    metadata,
    tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape])),
    hasMetrics: existsSync(metricsPath(path)),
  };
}
