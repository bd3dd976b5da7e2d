// Peak resident memory per training epoch (issue 5: a long run's memory must stay flat), for the
// CLI's epoch line and the metrics log. Node-only (process.memoryUsage), so the pure loop in
// loop.ts never imports it: the caller samples from its onStep callback.

/** One epoch's memory, in MB of 2^20 bytes, rounded to 0.1. */
export interface EpochMemory {
  /** Highest resident set size sampled during the epoch. */
  peakRssMB: number;
  /** V8 heap in use at the epoch's end. */
  heapMB: number;
  /** Memory outside the V8 heap held by JS objects at the epoch's end (tensor buffers live here). */
  externalMB: number;
  /** The ArrayBuffer part of externalMB. */
  arrayBuffersMB: number;
}

const toMB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export class MemorySampler {
  private peak = 0;
  private calls = 0;

  /**
   * `every`: read the RSS on every `every`-th step() only. A read costs ~10 us, a lenet5 step
   * milliseconds, but a logreg step with batch 1 is only tens of microseconds.
   * `usage`: process.memoryUsage; tests pass a scripted one.
   */
  constructor(
    private readonly every = 10,
    private readonly usage: Pick<typeof process.memoryUsage, "rss"> & (() => NodeJS.MemoryUsage) = process.memoryUsage,
  ) {
    if (!(Number.isInteger(every) && every > 0)) throw new RangeError(`MemorySampler: every must be a positive integer, got ${every}`);
  }

  /** Called after each training step. */
  step(): void {
    if (++this.calls % this.every === 0) this.sample();
  }

  /** Reads the RSS now (bytes) and keeps it if it is the epoch's highest. */
  sample(): number {
    const rss = this.usage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** The epoch's figures, with a last sample taken now; the next epoch's peak starts over. */
  endEpoch(): EpochMemory {
    const u = this.usage();
    const peak = Math.max(this.peak, u.rss);
    this.peak = 0;
    return { peakRssMB: toMB(peak), heapMB: toMB(u.heapUsed), externalMB: toMB(u.external), arrayBuffersMB: toMB(u.arrayBuffers) };
  }
}
