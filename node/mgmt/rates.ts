import { COUNTER_NAMES, type MessageCounters } from '../broker/stats.js';

const SAMPLE_MS = 5000;

interface Sample {
  values: Record<string, number>;
  rates: Record<string, number>;
  at: number;
  /** When a sample last differed from the one before (or the first sample was taken). */
  changedAt: number;
}

/**
 * Turns monotonic counters into per-second rates. Each counters object is sampled when it is read, at
 * most once per 5 s window (as RabbitMQ's basic rates mode), so idle objects cost nothing.
 */
export class Rates {
  private readonly samples = new WeakMap<object, Sample>();

  /** Per-second rate of each numeric field over the last window. */
  rates<T extends object>(key: object, counters: T, fields: readonly (keyof T & string)[]): Record<string, number> {
    const now = Date.now();
    let s = this.samples.get(key);
    const values: Record<string, number> = {};
    for (const f of fields) values[f] = counters[f] as number;
    if (!s) {
      s = { values, rates: Object.fromEntries(fields.map((f) => [f, 0])), at: now, changedAt: now };
      this.samples.set(key, s);
      return s.rates;
    }
    if (now - s.at >= SAMPLE_MS) {
      const dt = (now - s.at) / 1000;
      for (const f of fields) s.rates[f] = Math.max(0, (values[f]! - (s.values[f] ?? 0)) / dt);
      if (fields.some((f) => values[f] !== s!.values[f])) s.changedAt = now;
      s.values = values;
      s.at = now;
    }
    return s.rates;
  }

  /**
   * When these message counters last moved, in RabbitMQ's idle_since format, if they stood still over the
   * last sampled window; null while they move (or before a window has passed). Read after messageStats.
   */
  idleSince(c: MessageCounters): string | null {
    const s = this.samples.get(c);
    if (!s || s.changedAt === s.at) return null;
    return new Date(s.changedAt).toISOString().replace('Z', '+00:00');
  }

  /** RabbitMQ's message_stats: each counter with a `<name>_details: { rate }` beside it. */
  messageStats(c: MessageCounters): Record<string, unknown> {
    const r = this.rates(c, c, COUNTER_NAMES);
    const out: Record<string, unknown> = {};
    for (const [name, json] of STAT_NAMES) {
      out[json] = c[name];
      out[`${json}_details`] = { rate: round(r[name] ?? 0) };
    }
    out['deliver_get'] = c.deliver + c.deliverNoAck + c.get + c.getNoAck;
    out['deliver_get_details'] = { rate: round((r['deliver'] ?? 0) + (r['deliverNoAck'] ?? 0) + (r['get'] ?? 0) + (r['getNoAck'] ?? 0)) };
    return out;
  }
}

const STAT_NAMES: [keyof MessageCounters, string][] = [
  ['publish', 'publish'],
  ['publishIn', 'publish_in'],
  ['publishOut', 'publish_out'],
  ['deliver', 'deliver'],
  ['deliverNoAck', 'deliver_no_ack'],
  ['get', 'get'],
  ['getNoAck', 'get_no_ack'],
  ['redeliver', 'redeliver'],
  ['ack', 'ack'],
  ['confirm', 'confirm'],
  ['returnUnroutable', 'return_unroutable'],
];

export const round = (x: number): number => Math.round(x * 10) / 10;
