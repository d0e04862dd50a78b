/**
 * The stats server over real HTTP: /stats.json, the HTML page and Prometheus /metrics reflect open
 * sessions, totals and bytes; /healthz; admin enable/disable/drain (drain keeps existing sessions and
 * sends new ones elsewhere; disable = maintenance).
 */
import { once } from 'node:events';
import t from 'tap';
import type { StatsSnapshot } from '../../proxy/stats/snapshot.js';
import { frontendPort, greeting, startProxy, tagServer, waitFor, whoServes } from './helpers.js';

const a = await tagServer('a');
const b = await tagServer('b');
t.teardown(() => Promise.all([a.close(), b.close()]));
const p = await startProxy({
  pools: [{ name: 'warren', check: { type: 'tcp', inter: 200, timeout: 1000 }, backends: [`a=127.0.0.1:${a.port}`, `b=127.0.0.1:${b.port}`] }],
  frontends: [{ name: 'main', listen: ['127.0.0.1:0'], maxconn: 50 }],
});
t.teardown(() => p.close());
const base = `http://127.0.0.1:${p.statsAddress!.port}`;
const port = frontendPort(p);
const json = async (): Promise<StatsSnapshot> => (await (await fetch(`${base}/stats.json`)).json()) as StatsSnapshot;
const post = async (path: string): Promise<Response> => fetch(`${base}${path}`, { method: 'POST' });
await waitFor('checks', () => p.pools.get('warren')!.backends.every((x) => x.lastCheck));

t.test('stats.json, the HTML page and /metrics show sessions and bytes', async (t) => {
  const s1 = await greeting(port);
  const s2 = await greeting(port);
  s1.socket.write('12345');
  await once(s1.socket, 'data');
  let j = await json();
  const fe = j.frontends[0]!;
  t.match(fe, { name: 'main', pool: 'warren', status: 'OPEN', cur: 2, max: 2, limit: 50 });
  t.ok(fe.total >= 2);
  t.equal(fe.bytesIn, 5, 'bytes from the client');
  t.equal(fe.bytesOut, 2 + 2 + 5, 'greetings and the echo to the clients');
  const pool = j.pools[0]!;
  t.match(pool, { name: 'warren', balance: 'roundrobin', checkType: 'tcp', status: 'UP', healthy: 2, cur: 2 });
  t.same(pool.backends.map((x) => [x.name, x.status, x.cur]), [
    ['a', 'UP', 1],
    ['b', 'UP', 1],
  ]);
  t.equal(pool.backends[0]!.check?.status, 'L4OK');
  t.equal(j.vip, null);
  t.equal(j.proxy.ready, true);

  const html = await (await fetch(`${base}/stats`)).text();
  t.match(html, /<caption>frontend main &rarr; warren<\/caption>/);
  t.match(html, /<td class="name">a<br><small>127\.0\.0\.1:\d+<\/small><\/td><td>UP<\/td><td>L4OK/);
  t.match(html, /<tr class="up total"><td class="name">BACKEND<\/td><td>UP \(2\/2 up\)/);

  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /^warren_proxy_frontend_current_sessions\{frontend="main"\} 2$/m);
  t.match(metrics, /^warren_proxy_frontend_bytes_in_total\{frontend="main"\} 5$/m);
  t.match(metrics, /^warren_proxy_backend_up\{pool="warren",backend="a"\} 1$/m);
  t.match(metrics, /^warren_proxy_backend_current_sessions\{pool="warren",backend="b"\} 1$/m);
  t.match(metrics, /^warren_proxy_pool_active_backends\{pool="warren"\} 2$/m);
  t.match(metrics, /^warren_proxy_ready 1$/m);
  t.match(metrics, /^warren_proxy_process_resident_memory_bytes \d+/m, 'process metrics too');

  s2.socket.write('678');
  await once(s2.socket, 'data');
  s1.socket.destroy();
  s2.socket.destroy();
  await waitFor('sessions closed', () => p.frontends.get('main')!.counters.cur === 0);
  j = await json();
  t.match(j.frontends[0], { cur: 0, max: 2, bytesIn: 5 + 3, bytesOut: 2 + 2 + 5 + 3 }, 'bytes since the last read of the stats are counted when a session ends, and none twice');
  t.match(j.pools[0], { bytesIn: 5 + 3, bytesOut: 2 + 2 + 5 + 3 });
  t.same(j.pools[0]!.backends.map((x) => x.cur), [0, 0]);
  t.same(j.pools[0]!.backends.map((x) => x.bytesIn).sort(), [3, 5], 'each backend counts its own session');
});

t.test('/healthz is 200 with no VIP configured', async (t) => {
  const r = await fetch(`${base}/healthz`);
  t.equal(r.status, 200);
  t.match(await r.json(), { ready: true, role: 'no vip' });
  t.equal((await fetch(`${base}/nope`)).status, 404);
});

t.test('admin drain: existing sessions stay, new ones go elsewhere; enable restores', async (t) => {
  const held = [await greeting(port), await greeting(port)];
  const onA = held.find((h) => h.name === 'a')!;
  const r = await post('/admin/backends/a/drain');
  t.equal(r.status, 200);
  t.match(await r.json(), { name: 'a', admin: 'drain', status: 'DRAIN' });
  const names = new Set<string>();
  for (let i = 0; i < 6; i++) names.add(await whoServes(port));
  t.same([...names], ['b'], 'no new session on a drained backend');
  onA.socket.write('still');
  const [d] = (await once(onA.socket, 'data')) as [Buffer];
  t.equal(d.toString(), 'still', 'the existing session on a still works');
  t.equal((await json()).pools[0]!.backends[0]!.cur, 1);
  t.equal((await post('/admin/backends/a/enable')).status, 200);
  const after = new Set<string>();
  for (let i = 0; i < 4; i++) after.add(await whoServes(port));
  t.same([...after].sort(), ['a', 'b']);
  for (const h of held) h.socket.destroy();
});

t.test('admin disable = maintenance; errors for unknown backends, actions, methods', async (t) => {
  t.equal((await post('/admin/backends/b/disable')).status, 200);
  t.equal((await json()).pools[0]!.backends[1]!.status, 'MAINT');
  for (let i = 0; i < 4; i++) t.equal(await whoServes(port), 'a');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /^warren_proxy_backend_admin_ready\{pool="warren",backend="b"\} 0$/m);
  t.equal((await post('/admin/backends/b/enable')).status, 200);
  t.equal((await post('/admin/backends/zz/disable')).status, 404);
  t.equal((await post('/admin/backends/a/explode')).status, 404);
  t.equal((await fetch(`${base}/admin/backends/a/disable`)).status, 405, 'GET is not allowed to change state');
  t.equal((await post('/stats.json')).status, 405);
});
