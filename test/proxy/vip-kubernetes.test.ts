/**
 * Kubernetes mode (two proxies in this process, each with its own address as pods have): only the active
 * is ready on /healthz and listens, so a Service routes to it alone; the track check hands the VIP to the
 * peer when the active has no healthy backend; a graceful stop moves readiness to the standby.
 */
import t from 'tap';
import { freePort } from '../helpers/node.js';
import { startProxy, tagServer, waitFor, whoServes } from './helpers.js';

const live = await tagServer('live');
const dead = await tagServer('dead');
await dead.close();
t.teardown(() => live.close());

async function pod(name: 'a' | 'b', priority: number, backendPort: number, adverts: [number, number]) {
  const port = await freePort();
  const p = await startProxy({
    'vip-mode': 'kubernetes',
    'vip-bind': `127.0.0.1:${adverts[0]}`,
    'vip-peers': [`127.0.0.1:${adverts[1]}`],
    'vip-priority': priority,
    'vip-advert-interval': 100,
    'vip-id': name,
    'vip-track-weight': 50,
    pools: [{ name: 'p', check: { type: 'tcp', inter: 100, timeout: 1000, fall: 1, rise: 1 }, backends: [`127.0.0.1:${backendPort}`] }],
    frontends: [{ name: 'main', listen: [`127.0.0.1:${port}`] }],
  });
  t.teardown(() => p.close());
  const healthz = async () => (await fetch(`http://127.0.0.1:${p.statsAddress!.port}/healthz`)).status;
  return { p, port, healthz };
}

t.test('only the active is ready; the track check moves it to the peer with healthy backends', async (t) => {
  const adverts: [number, number] = [await freePort(), await freePort()];
  // b starts alone and becomes active; a, with the higher priority, then preempts it. Both use the live
  // backend. Readiness is checked once the pair has settled: two proxies that decide in the same instant
  // are both active until their next adverts (VRRP has the same window; a Redis lease closes it).
  const b = await pod('b', 90, live.port, [adverts[1], adverts[0]]);
  await waitFor('b ready while alone', async () => (await b.healthz()) === 200, 10_000);
  const a = await pod('a', 100, live.port, adverts);
  await waitFor('a ready and b not', async () => (await a.healthz()) === 200 && (await b.healthz()) === 503, 10_000);
  t.equal(await b.healthz(), 503, 'the standby is not ready');
  t.equal(await whoServes(a.port), 'live');
  t.equal(b.p.frontends.get('main')!.listening, false, 'the standby does not listen');

  // Break a's only backend (a reload to a dead address): its priority drops to 50 < 90 and it yields.
  await a.p.reload({ ...a.p.config, pools: [{ ...a.p.config.pools[0]!, backends: [{ ...a.p.config.pools[0]!.backends[0]!, port: dead.port }] }] });
  await waitFor('b ready', async () => (await b.healthz()) === 200, 10_000);
  t.equal(await a.healthz(), 503);
  t.match(a.p.vip!.status(), { role: 'standby', trackFailing: true, priority: 50 });
  t.equal(await whoServes(b.port), 'live');

  // Graceful stop of b: a (still tracking a failure) is the only one left and takes over.
  await b.p.stop(0);
  await waitFor('a ready again', async () => (await a.healthz()) === 200, 10_000);
  t.pass('readiness moves to the remaining proxy');
});
