import { SweepOrder } from './sweep-order.js';

/** A reading younger than this gives no rate yet: too short a window to say much. */
const MIN_WINDOW_MS = 1000;

/**
 * How the sweep reads one kind of object: `read` writes the object's numbers named `fields`, in that
 * order, into `into` from index `at`. Named property reads (not a loop over field names) keep a sweep over
 * tens of thousands of objects within a few milliseconds.
 */
export interface Reader<T> {
  readonly fields: readonly string[];
  read(o: T, into: Float64Array, at: number): void;
}

/**
 * One object's sample is a single Float64Array (one allocation): a header, then its last two readings of
 * `fields.length` numbers each.
 */
const READER = 0; // its reader's index in Rates.readers
const AT = 1; // when the last reading was taken
const PREVIOUS_AT = 2; // when the one before it was; 0 while there has been only one
const CHANGED_AT = 3; // when a reading last differed from the one before (or the first was taken)
const LATEST = 4; // where the last reading starts: HEADER, or HEADER + fields.length
const HEADER = 5;

/** Takes a reading of one object in a sweep, its sample kept under `key`. */
export type Take = <T>(key: object, o: T, reader: Reader<T>) => void;

/**
 * Per-second rates of monotonic counters, from the readings the statistics sweep takes of every live
 * object every 5 s (stats-sweep.ts; RabbitMQ's basic rates mode keeps the same window). Samples are keyed
 * weakly by the object they describe, so they go with it.
 */
export class Rates {
  private readonly samples = new WeakMap<object, Float64Array>();
  private readonly readers: Reader<never>[] = [];
  /** The last sweep's readings, and the one before's, which the next overwrites. */
  private last = new SweepOrder();
  private spare = new SweepOrder();
  private lastSweepAt = 0;

  /**
   * Reads every object `visit` hands to `take`. An object whose reading is the same as the last sweep's, and
   * whose sample already shows no change, is left as it is: an idle object costs its reading and a compare
   * with the last one, in memory walked in order.
   */
  sweep(now: number, visit: (take: Take) => void): void {
    const { last, spare: next } = this;
    next.clear();
    let j = 0;
    visit((key, o, reader) => {
      const n = reader.fields.length;
      const at = next.begin(key, n);
      reader.read(o, next.readings, at);
      const k = last.find(key, j);
      let s: Float64Array | undefined;
      if (k < 0) s = this.samples.get(key);
      else {
        j = k + 1;
        s = last.samples[k]!;
        if (last.isQuiet(k)) {
          if (last.same(k, next, at, n)) return next.complete(s, true);
          // idle until the last sweep: the window that saw it move starts there
          s[AT] = this.lastSweepAt;
        }
      }
      s = this.record(key, s, reader, next.readings, at, now);
      next.complete(s, s[PREVIOUS_AT]! > 0 && s[CHANGED_AT] !== now);
    });
    next.trim();
    [this.last, this.spare] = [next, last];
    this.lastSweepAt = now;
  }

  /** Puts `reading` (from `from` in it) into `key`'s sample, made if `s` is not one for `reader`. */
  private record<T>(key: object, s: Float64Array | undefined, reader: Reader<T>, reading: Float64Array, from: number, now: number): Float64Array {
    const n = reader.fields.length;
    if (s === undefined || this.readers[s[READER]!] !== reader) {
      const fresh = new Float64Array(HEADER + 2 * n);
      fresh[READER] = this.indexOf(reader);
      fresh[AT] = fresh[CHANGED_AT] = now;
      fresh[LATEST] = HEADER;
      fresh.set(reading.subarray(from, from + n), HEADER);
      this.samples.set(key, fresh);
      return fresh;
    }
    if (now <= s[AT]!) return s;
    const last = s[LATEST]!;
    const next = last === HEADER ? HEADER + n : HEADER;
    for (let i = 0; i < n; i++) {
      const v = reading[from + i]!;
      if (v !== s[last + i]) s[CHANGED_AT] = now;
      s[next + i] = v;
    }
    s[LATEST] = next;
    s[PREVIOUS_AT] = s[AT]!;
    s[AT] = now;
    return s;
  }

  /**
   * Per-second rate of each of `fields` over the last window. An object the sweep has read only once so far
   * (it is new) gets its rate since that reading, from `counters` as they are now; one it has not read yet, 0.
   */
  rates(key: object, counters: object, fields: readonly string[]): Record<string, number> {
    const s = this.samples.get(key);
    const out: Record<string, number> = {};
    for (const f of fields) out[f] = 0;
    if (s === undefined) return out;
    const known = this.readers[s[READER]!]!.fields;
    const last = s[LATEST]!;
    const before = last === HEADER ? HEADER + known.length : HEADER;
    const now = Date.now();
    const read = counters as Readonly<Record<string, number>>;
    for (const f of fields) {
      const i = known.indexOf(f);
      if (i < 0) continue;
      if (s[PREVIOUS_AT]! > 0) out[f] = (s[last + i]! - s[before + i]!) / ((s[AT]! - s[PREVIOUS_AT]!) / 1000);
      else if (now - s[AT]! >= MIN_WINDOW_MS) out[f] = ((read[f] ?? 0) - s[last + i]!) / ((now - s[AT]!) / 1000);
    }
    return out;
  }

  /**
   * When `key`'s counters last moved, in RabbitMQ's idle_since format, if they stood still over the last
   * window; null while they move (or before a window has passed).
   */
  idleSince(key: object): string | null {
    const s = this.samples.get(key);
    if (!s || s[CHANGED_AT] === s[AT]) return null;
    return new Date(s[CHANGED_AT]!).toISOString().replace('Z', '+00:00');
  }

  private indexOf(reader: Reader<never>): number {
    const i = this.readers.indexOf(reader);
    return i >= 0 ? i : this.readers.push(reader) - 1;
  }
}

export const round = (x: number): number => Math.round(x * 10) / 10;
