// A benchmark in several passes (`--passes N`): every runner runs once per pass, the passes in
// alternating order (forward, then backward, ...), and each workload keeps its best round over
// all passes. On a shared machine a slow minute (another tenant on the same physical core) can
// fall on one framework's single run and not on its peer's; several passes spread over the whole
// run give each the same chances of a quiet one.

import { isTimed, type Outcome } from "./protocol.js";
import type { Run } from "./report.js";

/** The order of the planned runners in pass `pass` (0-based): forward, backward, forward, ... */
export function passOrder(count: number, pass: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return pass % 2 ? order.reverse() : order;
}

/**
 * One run from its passes (the same runner each time): a timed workload keeps every round and the
 * best as its figure, and the highest peak RSS of its passes (the bound, not the lucky pass); a workload that failed or was unsupported in any pass keeps that outcome
 * (a failure is not hidden behind a lucky pass); the run's status is the first pass's that is not ok.
 */
export function mergePasses(passes: Run[]): Run {
  if (passes.length === 0) throw new Error("mergePasses: no passes to merge");
  const notOk = passes.find((p) => p.status !== "ok");
  const base = notOk ?? passes[0];
  const results: Record<string, Outcome> = {};
  for (const id of new Set(passes.flatMap((p) => Object.keys(p.results)))) {
    const outcomes = passes.map((p) => p.results[id]).filter((o): o is Outcome => o !== undefined);
    const bad = outcomes.find((o) => !isTimed(o));
    if (bad) {
      results[id] = bad;
      continue;
    }
    const timed = outcomes.filter(isTimed);
    const rss = timed.flatMap((o) => (o.peakRssBytes === undefined ? [] : [o.peakRssBytes]));
    results[id] = {
      secondsPerIter: Math.min(...timed.map((o) => o.secondsPerIter)),
      rounds: timed.flatMap((o) => o.rounds),
      iters: timed.reduce((n, o) => n + o.iters, 0),
      ...(rss.length && { peakRssBytes: Math.max(...rss) }),
    };
  }
  return { ...base, results };
}
