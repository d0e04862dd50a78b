import { performance } from 'node:perf_hooks';

/**
 * A monotonic clock in milliseconds (fractional, sub-microsecond resolution) that agrees across worker
 * threads: performance.now() counts from each thread's own start, so every thread calibrates it once against
 * process.hrtime (CLOCK_MONOTONIC, shared by the whole process). A send time stamped in one thread can then
 * be subtracted from a receive time taken in another without allocating per message.
 */
const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export function now(): number {
  return performance.now() + offset;
}

/** Resolves at monotonic time `at` (ms), or at once when it has passed. */
export function sleepUntil(at: number): Promise<void> {
  const wait = at - now();
  return new Promise((resolve) => (wait > 0 ? setTimeout(resolve, Math.ceil(wait)) : setImmediate(resolve)));
}
