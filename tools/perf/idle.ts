import { AmqpClient } from './client.js';
import { now } from './clock.js';
import { rssKb } from './monitor.js';
import type { PerfOptions } from './options.js';

const OPENING = 50; // handshakes in flight at once
const GIVE_UP_AFTER_FAILURES = 50;
const OPEN_DEADLINE_MS = 180_000;
const SETTLE_MS = 3000;

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over 0..n-1 with at most `width` in flight, until `stop()` says enough. */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n && !stop()) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
}

/**
 * Memory per connection: opens --idle-connections connections, each with channel 1 open and heartbeats off,
 * waits for the broker to settle, holds them for --seconds, and reports each --monitor-pid's RSS growth
 * divided by the connections actually opened (a broker may refuse some, e.g. at its file-descriptor limit).
 */
export async function runIdle(o: PerfOptions): Promise<Record<string, unknown>> {
  const n = o.idleConnections;
  const before = o.monitorPids.map(rssKb);
  const clients: AmqpClient[] = [];
  const errors = new Map<string, number>();
  let failed = 0;
  const t0 = now();
  const ticker = o.quiet ? null : setInterval(() => console.error(`warren-perf idle: ${clients.length} open, ${failed} failed`), 1000);
  await pool(n, OPENING, async () => {
    try {
      clients.push(await AmqpClient.open(o, 10_000));
    } catch (e) {
      failed++;
      const text = (e as Error).message;
      errors.set(text, (errors.get(text) ?? 0) + 1);
    }
  }, () => failed >= GIVE_UP_AFTER_FAILURES || now() - t0 > OPEN_DEADLINE_MS);
  const openS = (now() - t0) / 1000;
  await delay(SETTLE_MS);
  await delay(o.seconds * 1000);
  const held = o.monitorPids.map(rssKb);
  const alive = clients.filter((c) => !c.closed).length;
  await pool(clients.length, 200, (i) => clients[i]!.close(), () => false);
  if (ticker) clearInterval(ticker);
  await delay(SETTLE_MS);
  const closedRss = o.monitorPids.map(rssKb);
  const rss: Record<string, unknown> = {};
  o.monitorPids.forEach((pid, i) => {
    const b = before[i]!;
    const h = held[i]!;
    rss[String(pid)] = {
      before_mb: Math.round(b / 102.4) / 10,
      held_mb: Math.round(h / 102.4) / 10,
      after_close_mb: Math.round(closedRss[i]! / 102.4) / 10,
      per_connection_kb: alive > 0 && b >= 0 && h >= 0 ? Math.round(((h - b) / alive) * 10) / 10 : -1,
    };
  });
  return {
    tool: 'warren-perf',
    mode: 'idle-connections',
    label: o.label,
    requested: n,
    opened: clients.length,
    alive_at_sample: alive,
    failed,
    errors: Object.fromEntries(errors),
    open_s: Math.round(openS * 100) / 100,
    rss,
  };
}
