/** How far past the expected place a sweep looks for an object before looking it up (objects before it went away). */
const LOOKAHEAD = 64;

/**
 * One statistics sweep's readings, in the order it met the objects: their keys, their samples, and the
 * readings themselves one after another in one array. The next sweep meets the objects in much the same
 * order (the broker's maps keep insertion order), so it finds each one's previous reading at the next place
 * here, in memory it walks straight through, rather than by a lookup and a visit to the sample.
 */
export class SweepOrder {
  readonly keys: object[] = [];
  readonly samples: Float64Array[] = [];
  /** Where each entry's reading starts in `readings`, and how many numbers it has. */
  private starts = new Int32Array(256);
  private sizes = new Uint8Array(256);
  /** Whether the entry's sample shows no change, and will show none while the object does not change. */
  private quiet = new Uint8Array(256);
  readings = new Float64Array(4096);
  private count = 0;
  private end = 0;

  clear(): void {
    this.count = this.end = 0;
  }

  /** Starts an entry for `key` with room for a reading of `n` numbers; where that reading goes in `readings`. */
  begin(key: object, n: number): number {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts, Int32Array);
      this.sizes = grown(this.sizes, Uint8Array);
      this.quiet = grown(this.quiet, Uint8Array);
    }
    while (this.end + n > this.readings.length) this.readings = grown(this.readings, Float64Array);
    this.keys[this.count] = key;
    this.starts[this.count] = this.end;
    this.sizes[this.count] = n;
    const at = this.end;
    this.end += n;
    return at;
  }

  /** Completes the entry begun last. */
  complete(sample: Float64Array, quiet: boolean): void {
    this.samples[this.count] = sample;
    this.quiet[this.count++] = quiet ? 1 : 0;
  }

  /** Drops what is past the last entry, so an object gone is held no longer than a sweep. */
  trim(): void {
    this.keys.length = this.samples.length = this.count;
  }

  /** `key`'s entry at `from` or a little after it, or -1. */
  find(key: object, from: number): number {
    for (let k = from, end = Math.min(this.count, from + LOOKAHEAD); k < end; k++) if (this.keys[k] === key) return k;
    return -1;
  }

  isQuiet(k: number): boolean {
    return this.quiet[k] === 1;
  }

  /** Whether entry `k` holds the same reading as `other` does from `at`, of `n` numbers. */
  same(k: number, other: SweepOrder, at: number, n: number): boolean {
    if (this.sizes[k] !== n) return false;
    const mine = this.starts[k]!;
    for (let i = 0; i < n; i++) if (this.readings[mine + i] !== other.readings[at + i]) return false;
    return true;
  }
}

function grown<A extends Int32Array | Uint8Array | Float64Array>(a: A, make: new (length: number) => A): A {
  const bigger = new make(a.length * 2);
  bigger.set(a);
  return bigger;
}
