// From the runners' results to the benchmark's report: one figure per workload and column (the
// best of a peer's settings), the ratios of the best torchlet run to each peer with issues 5 and
// 14's targets, the peak RSS of the course rows' processes, the printed tables, and the JSON
// written to bench/results/. Pure functions: the unit test (test/bench/report.test.ts) feeds
// them fake numbers.

import { isTimed, type Outcome, type RunnerResult } from "./protocol.js";
import { WORKLOADS, figure, type Workload } from "./workloads.js";

/** The peers a torchlet figure is compared with; torchlet's own runs each get a column. */
export type Group = "torchlet" | "pytorch" | "tfjs-cpu" | "tfjs-wasm";
export const PEERS: readonly { group: Exclude<Group, "torchlet">; label: string }[] = [
  { group: "pytorch", label: "PyTorch" },
  { group: "tfjs-cpu", label: "TF.js cpu" },
  { group: "tfjs-wasm", label: "TF.js wasm" },
];

/** One runner process (or one that could not start) and what it returned. */
export interface Run extends Omit<RunnerResult, "status"> {
  id: string;
  label: string;
  group: Group;
  /** Short tag shown next to a peer's best figure, e.g. "2t" for PyTorch's thread count. */
  tag: string;
  /** "skipped": excluded by --skip; "error": the process failed (reason says how). */
  status: RunnerResult["status"] | "skipped" | "error";
}

/** A table cell: the best timed run of a column, or why there is no figure. */
export type Cell =
  | { value: number; secondsPerIter: number; run: string; tag: string; peakRssBytes?: number }
  | { missing: string }
  | { unsupported: string }
  | { error: string }
  | { notRun: string };

export interface Ratio {
  workload: string;
  torchlet: string;
  peer: Exclude<Group, "torchlet">;
  /** torchlet time / peer time for the same work: < 1 means torchlet is faster. */
  timeRatio: number;
  /** torchlet throughput / peer throughput = 1 / timeRatio. */
  speedup: number;
  target?: string;
  met?: boolean;
  /** Own-process rows (the course's): torchlet's peak RSS / the peer's, of the two runs compared. */
  rssRatio?: number;
  rssTarget?: string;
  rssMet?: boolean;
}

const courseIds = (keep: (w: Workload) => boolean) => WORKLOADS.filter((w) => w.course && keep(w)).map((w) => w.id);

/** Issue 5's targets and issue 14's (the course rows), as bounds on torchlet time / peer time. */
export const TARGETS: readonly { workloads: string[]; peer: Exclude<Group, "torchlet">; text: string; met: (timeRatio: number) => boolean }[] = [
  { workloads: ["train-full"], peer: "pytorch", text: "time < 1.0 (goal 0.5)", met: (r) => r < 1 },
  { workloads: ["train-sparse"], peer: "pytorch", text: "time < 0.3", met: (r) => r < 0.3 },
  { workloads: ["infer-full", "infer-sparse"], peer: "pytorch", text: "speed >= 1", met: (r) => r <= 1 },
  { workloads: ["infer-full", "infer-sparse"], peer: "tfjs-wasm", text: "speed > 1", met: (r) => r < 1 },
  { workloads: ["logreg"], peer: "pytorch", text: "speed >= 10", met: (r) => r <= 0.1 },
  { workloads: ["gemm-1024"], peer: "pytorch", text: "speed >= 0.4 (40% of OpenBLAS)", met: (r) => r <= 2.5 },
  { workloads: courseIds((w) => w.course?.model !== "vgg11"), peer: "pytorch", text: "time < 1.0 (goal 0.67)", met: (r) => r < 1 },
  { workloads: courseIds((w) => w.course?.model === "vgg11"), peer: "pytorch", text: "time < 1.0 (goal 0.5)", met: (r) => r < 1 },
];

/** Issue 14's memory target for the course rows: peak RSS at most 1.25x PyTorch's. */
export const RSS_TARGET = { peer: "pytorch", text: "peak RSS <= 1.25x", met: (rssRatio: number) => rssRatio <= 1.25 } as const;

export interface Report {
  schema: "torchlet-bench/1";
  date: string;
  mode: "quick" | "full";
  command: string;
  machine: Record<string, string | number>;
  workloads: Workload[];
  runs: Run[];
  /** figures[workload id][column id]: torchlet run ids, then the peer groups. */
  figures: Record<string, Record<string, Cell>>;
  /** The fastest torchlet run per workload: the one compared with the peers. */
  torchletBest: Record<string, Cell>;
  ratios: Ratio[];
}

export function columns(runs: Run[]): { id: string; label: string }[] {
  const torchlet = runs.filter((r) => r.group === "torchlet").map((r) => ({ id: r.id, label: r.label }));
  const version = (g: Group) => runs.find((r) => r.group === g && r.version)?.version;
  return [...torchlet, ...PEERS.map((p) => ({ id: p.group, label: [p.label, version(p.group)].filter(Boolean).join(" ") }))];
}

/** The best (fastest) figure among `runs` for workload `w`, or the reason none exists. */
export function bestCell(w: Workload, runs: Run[]): Cell {
  const timed = runs.flatMap((r) => {
    const o = r.results[w.id];
    return isTimed(o) ? [{ r, o }] : [];
  });
  if (timed.length > 0) {
    const { r, o } = timed.reduce((a, b) => (b.o.secondsPerIter < a.o.secondsPerIter ? b : a));
    return { value: figure(w, o.secondsPerIter), secondsPerIter: o.secondsPerIter, run: r.id, tag: r.tag, ...(o.peakRssBytes !== undefined && { peakRssBytes: o.peakRssBytes }) };
  }
  if (runs.length === 0) return { notRun: "no such run" };
  const outcomes = runs.map((r) => r.results[w.id]).filter((o): o is Outcome => o !== undefined);
  const first = <K extends string>(key: K) => outcomes.find((o): o is Outcome & Record<K, string> => key in o)?.[key];
  const unsupported = first("unsupported");
  if (unsupported !== undefined) return { unsupported };
  const error = first("error") ?? runs.find((r) => r.status === "error")?.reason;
  if (error !== undefined) return { error };
  const missing = runs.find((r) => r.status === "missing");
  if (missing) return { missing: missing.reason ?? "missing" };
  const skipped = runs.find((r) => r.status === "skipped");
  return { notRun: skipped?.reason ?? "not measured by this run" };
}

export function buildReport(meta: Pick<Report, "date" | "mode" | "command" | "machine">, workloads: Workload[], runs: Run[]): Report {
  const figures: Report["figures"] = {};
  const torchletBest: Report["torchletBest"] = {};
  const ratios: Ratio[] = [];
  const torchletRuns = runs.filter((r) => r.group === "torchlet");
  for (const w of workloads) {
    const row: Record<string, Cell> = {};
    for (const r of torchletRuns) row[r.id] = bestCell(w, [r]);
    for (const p of PEERS) row[p.group] = bestCell(w, runs.filter((r) => r.group === p.group));
    figures[w.id] = row;
    const best = bestCell(w, torchletRuns);
    torchletBest[w.id] = best;
    if (!("secondsPerIter" in best)) continue;
    for (const p of PEERS) {
      const peer = row[p.group];
      if (!("secondsPerIter" in peer)) continue;
      const timeRatio = best.secondsPerIter / peer.secondsPerIter;
      const target = TARGETS.find((t) => t.peer === p.group && t.workloads.includes(w.id));
      const rss = w.ownProcess && best.peakRssBytes && peer.peakRssBytes ? best.peakRssBytes / peer.peakRssBytes : undefined;
      const rssTarget = rss !== undefined && w.course && p.group === RSS_TARGET.peer ? { rssTarget: RSS_TARGET.text, rssMet: RSS_TARGET.met(rss) } : {};
      ratios.push({
        workload: w.id, torchlet: best.run, peer: p.group, timeRatio, speedup: 1 / timeRatio,
        ...(target && { target: target.text, met: target.met(timeRatio) }),
        ...(rss !== undefined && { rssRatio: rss, ...rssTarget }),
      });
    }
  }
  return { schema: "torchlet-bench/1", ...meta, workloads, runs, figures, torchletBest, ratios };
}

/** 3 significant digits, thousands separated: 12,345 / 678 / 4.56 / 0.0123. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v) || 1)));
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes as MB (10^6), 3 significant digits: 1,234 MB / 456 MB / 78.9 MB. */
export function formatMB(bytes: number): string {
  return `${formatNumber(bytes / 1e6)} MB`;
}

/** A cell's peak RSS, or why there is none ("-": a figure with no RSS reported). */
export function rssText(c: Cell): string {
  if ("value" in c) return c.peakRssBytes !== undefined ? formatMB(c.peakRssBytes) : "-";
  return cellText(c);
}

export function cellText(c: Cell, showTag = false): string {
  if ("value" in c) return showTag && c.tag ? `${formatNumber(c.value)} (${c.tag})` : formatNumber(c.value);
  if ("missing" in c) return "missing";
  if ("unsupported" in c) return "unsupported";
  if ("error" in c) return "error";
  return "not run";
}

/**
 * A Markdown table with padded columns (readable in a terminal, pasteable into the README);
 * numbers right-aligned, the columns in `left` (text) left-aligned.
 */
export function markdownTable(header: string[], rows: string[][], left: number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const isLeft = (i: number) => left.includes(i);
  const line = (cells: string[]) => `| ${cells.map((c, i) => (isLeft(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (isLeft(i) ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function formatReport(report: Report): string {
  const cols = columns(report.runs);
  const peerCols = new Set<string>(PEERS.map((p) => p.group));
  const figures = markdownTable(
    ["workload", "unit", ...cols.map((c) => (peerCols.has(c.id) ? `${c.label} (best)` : c.label))],
    report.workloads.map((w) => [w.label, w.unit, ...cols.map((c) => cellText(report.figures[w.id][c.id], peerCols.has(c.id)))]),
  );
  const ratioCell = (w: string, peer: string) => {
    const r = report.ratios.find((x) => x.workload === w && x.peer === peer);
    if (r) return `${r.timeRatio.toFixed(2)} (${r.speedup.toFixed(2)}x)`;
    return "value" in report.figures[w][peer] ? "-" : cellText(report.figures[w][peer]);
  };
  const label = (id: string) => report.runs.find((r) => r.id === id)?.label ?? id;
  const rssRows = report.workloads.filter((w) => w.ownProcess);
  const rssRatioCell = (w: Workload) => {
    if (!w.ownProcess) return "-";
    const r = report.ratios.find((x) => x.workload === w.id && x.peer === "pytorch");
    return r?.rssRatio !== undefined ? r.rssRatio.toFixed(2) : "-";
  };
  const ratios = markdownTable(
    ["workload", "torchlet best", ...PEERS.map((p) => `vs ${p.label}: time (speed)`), "peak RSS vs PyTorch", "target (vs peer): status"],
    report.workloads.map((w) => {
      const best = report.torchletBest[w.id];
      const targets = report.ratios.flatMap((r) =>
        r.workload !== w.id ? [] : [
          ...(r.target ? [`${r.target} (${r.peer}): ${r.met ? "met" : "not met"}`] : []),
          ...(r.rssTarget ? [`${r.rssTarget} (${r.peer}): ${r.rssMet ? "met" : "not met"}`] : []),
        ]);
      return [w.label, "run" in best ? `${label(best.run)}: ${formatNumber(best.value)}` : cellText(best), ...PEERS.map((p) => ratioCell(w.id, p.group)), rssRatioCell(w), targets.join("; ") || "-"];
    }),
    [0, PEERS.length + 3],
  );
  const rss = rssRows.length === 0 ? [] : [
    "",
    "Peak RSS of each row's own runner process (its high-water mark: the runtime, the framework, the model, its",
    "optimizer state and the training steps, worker threads included), for the run that gave each figure above:",
    markdownTable(
      ["workload", ...cols.map((c) => (peerCols.has(c.id) ? `${c.label} (best)` : c.label))],
      rssRows.map((w) => [w.label, ...cols.map((c) => rssText(report.figures[w.id][c.id]))]),
    ),
  ];
  return [
    `torchlet benchmark (${report.mode} mode), ${report.date}`,
    Object.entries(report.machine).map(([k, v]) => `${k}: ${v}`).join(", "),
    "",
    "Figures (higher is better, except latency in ms); a peer's column is its best setting, tagged:",
    figures,
    ...courseNote(report.workloads),
    ...rss,
    "",
    "Ratios of the best torchlet run to each peer: time = torchlet time / peer time for the same work",
    "(< 1: torchlet is faster); speed = torchlet throughput / peer throughput (= 1 / time); peak RSS vs PyTorch:",
    "the two runs' peak RSS, torchlet's / PyTorch's (own-process rows only).",
    ratios,
    "",
    "Runs:",
    ...report.runs.map(runLine),
    ...notes(report),
  ].join("\n");
}

/** Why the course rows show "not run" in some columns (workloads.ts runsIn). */
function courseNote(workloads: Workload[]): string[] {
  if (!workloads.some((w) => w.course)) return [];
  const multi = workloads.filter((w) => w.multiThreadOnly).map((w) => w.id);
  return [
    `The course rows (random batches of the seeds' shapes, one training step an iteration) run in torchlet's wasm backend and PyTorch only${multi.length ? `, ${multi.join(" and ")} at 2 threads only` : ""}.`,
  ];
}

function runLine(r: Run): string {
  const settings = Object.entries(r.settings ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
  const state = r.status === "ok" ? `ok${r.version ? `, version ${r.version}` : ""}${settings ? `, ${settings}` : ""}` : `${r.status}: ${r.reason ?? ""}`;
  return `  ${r.label}: ${state}`;
}

/** The full text behind every "unsupported" and "error" cell, once per run and workload. */
function notes(report: Report): string[] {
  const out: string[] = [];
  for (const r of report.runs)
    for (const [id, o] of Object.entries(r.results))
      if ("unsupported" in o) out.push(`  ${r.label}, ${id}: unsupported: ${o.unsupported}`);
      else if ("error" in o) out.push(`  ${r.label}, ${id}: error: ${o.error}`);
  return out.length ? ["", "Notes:", ...out] : [];
}
