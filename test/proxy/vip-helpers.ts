import { amqpProbe } from '../../proxy/health/amqp.js';
import { freePort } from '../helpers/node.js';
import { sleep, spawnProxy, type SpawnedProxy } from './helpers.js';

export const INTERVAL = 200;

export interface PairOptions {
  readonly vip: string;
  readonly backendPort: number;
  readonly redisUrl?: string;
  readonly preempt?: boolean;
  readonly priorities?: readonly [number, number];
}

/** Two proxies' settings for one VIP in bind mode: same frontend, each other's advert address as peer. */
export async function pairSettings(o: PairOptions) {
  const port = await freePort();
  const adverts = [await freePort(), await freePort()] as const;
  const prio = o.priorities ?? [100, 90];
  const settings = (me: 0 | 1): Record<string, unknown> => ({
    'log-level': 'info',
    'vip-mode': 'bind',
    'vip-address': o.vip,
    'vip-bind': `127.0.0.1:${adverts[me]}`,
    'vip-peers': [`127.0.0.1:${adverts[1 - me]}`],
    'vip-priority': prio[me],
    'vip-preempt': o.preempt ?? true,
    'vip-advert-interval': INTERVAL,
    'vip-id': me === 0 ? 'proxy-a' : 'proxy-b',
    'shutdown-grace': 2000,
    ...(o.redisUrl ? { 'redis-url': o.redisUrl } : {}),
    // No track penalty here: on a loaded machine a slow check of the (shared) node must not move the VIP in
    // the middle of a failover measurement. The track check has its own test (vip-kubernetes.test.ts).
    'vip-track-weight': 0,
    pools: [{ name: 'warren', check: { type: 'amqp', inter: 1000, timeout: 2000 }, backends: [`127.0.0.1:${o.backendPort}`] }],
    frontends: [{ name: 'amqp', listen: [`:${port}`] }],
  });
  return { port, settings, start: (me: 0 | 1) => spawnProxy(settings(me)) };
}

/** True when an AMQP connection.start comes back through the VIP within `timeout`. */
export async function vipServes(vip: string, port: number, timeout = 500): Promise<boolean> {
  const r = await amqpProbe({ host: vip, port, timeout, path: '/', expectStatus: [], proxyHeader: null });
  return r.ok;
}

/**
 * ms from `since` until `by` serves AMQP on the VIP (a connection.start comes back and `by` counted the
 * session), polling every 20 ms, up to `limit`. Connections the old active still serves do not count.
 */
export async function timeUntilServed(vip: string, port: number, by: SpawnedProxy, since: number, limit = 15_000): Promise<number> {
  const sessions = async (): Promise<number> => (await by.stats()).frontends[0]!.total;
  let before = await sessions();
  while (Date.now() - since < limit) {
    if (await vipServes(vip, port, 300)) {
      const at = Date.now();
      const after = await sessions();
      if (after > before) return at - since;
      before = after;
    }
    await sleep(10);
  }
  throw new Error(`the VIP ${vip}:${port} was not served by the new active within ${limit} ms`);
}

export async function role(p: SpawnedProxy): Promise<{ role: string; held: boolean; epoch: number; fenced: number; lease: string }> {
  const v = (await p.stats()).vip!;
  return { role: v.role, held: v.held, epoch: v.epoch, fenced: v.fenced, lease: v.lease };
}

export const isServing = async (p: SpawnedProxy): Promise<boolean> => (await p.healthz()).status === 200;
