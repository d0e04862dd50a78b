/**
 * Log-linear latency histogram in nanoseconds, the same layout as amqpload's so both tools round alike:
 * values below 64 ns are exact, above that each power of two has 64 sub-buckets (about 1.6% resolution).
 * Fixed size (4096 buckets), so recording never allocates and histograms merge by adding arrays.
 */
const SUB = 64;
export const BUCKETS = 64 * SUB;
const TWO32 = 0x1_0000_0000;

function msb(v: number): number {
  const hi = Math.floor(v / TWO32);
  return hi > 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(v >>> 0);
}

function indexOf(v: number): number {
  if (v < SUB) return v;
  const m = msb(v);
  const sub = Math.floor(v / 2 ** (m - 6)) & (SUB - 1);
  return (m - 5) * SUB + sub;
}

function valueOf(idx: number): number {
  if (idx < SUB) return idx;
  const m = Math.floor(idx / SUB) + 5;
  const sub = idx % SUB;
  const width = 2 ** (m - 6);
  return 2 ** m + sub * width + width / 2;
}

export class Histogram {
  readonly buckets = new Float64Array(BUCKETS);
  n = 0;
  max = 0;
  sum = 0;

  /** Records a duration given in milliseconds. */
  addMs(ms: number): void {
    const ns = ms > 0 ? Math.round(ms * 1e6) : 0;
    this.buckets[Math.min(BUCKETS - 1, indexOf(ns))]! += 1;
    this.n++;
    this.sum += ns;
    if (ns > this.max) this.max = ns;
  }

  merge(o: HistogramData): void {
    for (let i = 0; i < BUCKETS; i++) this.buckets[i]! += o.buckets[i]!;
    this.n += o.n;
    this.sum += o.sum;
    if (o.max > this.max) this.max = o.max;
  }

  /** Percentile p (0-100) in milliseconds, or -1 when empty. */
  percentileMs(p: number): number {
    if (this.n === 0) return -1;
    const target = Math.max(1, Math.ceil((p / 100) * this.n));
    let acc = 0;
    for (let i = 0; i < BUCKETS; i++) {
      acc += this.buckets[i]!;
      if (acc >= target) return Math.min(valueOf(i), this.max) / 1e6;
    }
    return this.max / 1e6;
  }

  summary(): LatencySummary {
    const r = (v: number): number => Math.round(v * 1000) / 1000;
    return {
      n: this.n,
      p50: r(this.percentileMs(50)),
      p95: r(this.percentileMs(95)),
      p99: r(this.percentileMs(99)),
      p999: r(this.percentileMs(99.9)),
      max: r(this.max / 1e6),
      mean: this.n ? r(this.sum / this.n / 1e6) : -1,
    };
  }

  toData(): HistogramData {
    return { buckets: this.buckets, n: this.n, max: this.max, sum: this.sum };
  }
}

/** A histogram as it crosses a worker-thread boundary (structured clone). */
export interface HistogramData {
  buckets: Float64Array;
  n: number;
  max: number;
  sum: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}
