/**
 * Health checks against real servers: tcp, amqp (a real Warren node answers connection.start; other
 * servers fail at L7), http (status codes). A killed backend is marked down within inter x fall and new
 * connections go elsewhere; it comes back after rise checks, ramping its weight during slow start;
 * on-marked-down shutdown-sessions closes its sessions.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { frontendPort, greeting, sleep, startProxy, tagServer, waitFor, whoServes, type TagServer } from './helpers.js';

const INTER = 300;
const FALL = 3;
const RISE = 2;
/** Timers on a loaded 2-core machine run late; the bound is inter x fall plus this. */
const SLACK = 1200;

async function pool(backends: { name: string; port: number }[], check: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const p = await startProxy({
    pools: [{ name: 'p', check: { inter: INTER, timeout: 1000, rise: RISE, fall: FALL, ...check }, ...extra, backends: backends.map((b) => ({ name: b.name, address: `127.0.0.1:${b.port}` })) }],
    frontends: [{ name: 'main', listen: ['127.0.0.1:0'] }],
  });
  t.teardown(() => p.close());
  return p;
}

const backend = (p: Awaited<ReturnType<typeof pool>>, name: string) => p.pools.get('p')!.find(name)!;

t.test('tcp: a killed backend is down within inter x fall; traffic avoids it; it returns after rise', async (t) => {
  const list = await Promise.all(['a', 'b', 'c'].map((n) => tagServer(n)));
  t.teardown(() => Promise.all(list.map((s) => s.close())));
  const [, b] = list as [TagServer, TagServer, TagServer];
  const p = await pool(list, { type: 'tcp' });
  await waitFor('first checks', () => list.every((s) => backend(p, s.name).lastCheck?.ok));
  const killedAt = Date.now();
  await b.close();
  await waitFor('b marked down', () => !backend(p, 'b').up, INTER * FALL + SLACK + 2000, 10);
  const took = Date.now() - killedAt;
  t.ok(took <= INTER * FALL + SLACK, `b marked down ${took} ms after being killed (inter ${INTER} x fall ${FALL} = ${INTER * FALL} ms)`);
  t.ok(took >= INTER * (FALL - 1) - 50, 'and not before fall checks failed');
  t.equal(backend(p, 'b').lastCheck?.status, 'L4CON');
  const port = frontendPort(p);
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) seen.add(await whoServes(port));
  t.same([...seen].sort(), ['a', 'c'], 'new connections go to a and c only');

  const again = await tagServer('b', { port: b.port });
  t.teardown(() => again.close());
  const back = Date.now();
  await waitFor('b up again', () => backend(p, 'b').up, INTER * RISE + SLACK + 2000, 10);
  t.ok(Date.now() - back <= INTER * RISE + SLACK, `b up ${Date.now() - back} ms after restarting (inter x rise = ${INTER * RISE} ms)`);
  t.equal(backend(p, 'b').downTransitions, 1);
});

t.test('amqp: a Warren node passes (connection.start); a non-AMQP server and a silent one fail', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const talker = await tagServer('talker');
  const silent = await tagServer('silent', { onSocket: () => {} });
  t.teardown(() => Promise.all([talker.close(), silent.close()]));
  const p = await pool(
    [
      { name: 'warren', port: node.port },
      { name: 'talker', port: talker.port },
      { name: 'silent', port: silent.port },
    ],
    { type: 'amqp', timeout: 250 },
  );
  await waitFor('checks to settle', () => backend(p, 'warren').lastCheck && !backend(p, 'talker').up && !backend(p, 'silent').up, 10_000);
  t.equal(backend(p, 'warren').lastCheck?.status, 'L7OK');
  t.equal(backend(p, 'warren').lastCheck?.detail, 'connection.start');
  t.ok(backend(p, 'warren').up);
  t.equal(backend(p, 'talker').lastCheck?.status, 'L7RSP');
  t.equal(backend(p, 'silent').lastCheck?.status, 'L7TOUT');
});

t.test('http: GET path, expected status codes', async (t) => {
  let status = 200;
  const paths: string[] = [];
  const http = createHttpServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(status).end();
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  t.teardown(() => http.close());
  const port = (http.address() as { port: number }).port;
  const p = await pool([{ name: 'web', port }], { type: 'http', path: '/health?deep=1', 'expect-status': [200, 204] });
  await waitFor('a passing check', () => backend(p, 'web').lastCheck?.status === 'L7OK');
  t.equal(backend(p, 'web').lastCheck?.code, 200);
  t.equal(paths[0], '/health?deep=1');
  status = 503;
  await waitFor('web marked down', () => !backend(p, 'web').up, 10_000);
  t.equal(backend(p, 'web').lastCheck?.status, 'L7STS');
  t.equal(backend(p, 'web').lastCheck?.code, 503);
  status = 204;
  await waitFor('web up again', () => backend(p, 'web').up, 10_000);
});

t.test('on-marked-down shutdown-sessions closes the down backend\'s sessions; without it they stay', async (t) => {
  for (const shutdown of [true, false]) {
    const svc = await tagServer(`svc-${shutdown}`);
    const health = await tagServer('health');
    t.teardown(() => Promise.all([svc.close(), health.close().catch(() => {})]));
    const p = await pool([{ name: 'svc', port: svc.port }], { type: 'tcp', port: health.port }, shutdown ? { 'on-marked-down': 'shutdown-sessions' } : {});
    await waitFor('svc checked', () => backend(p, 'svc').lastCheck?.ok);
    const s = await greeting(frontendPort(p));
    let closed = false;
    s.socket.on('close', () => (closed = true));
    await health.close();
    await waitFor('svc marked down', () => !backend(p, 'svc').up, 10_000);
    if (shutdown) {
      await waitFor('the session to be closed', () => closed, 2000);
      t.pass('session closed when its backend was marked down');
    } else {
      await sleep(300);
      t.notOk(closed, 'session kept (on-marked-down: none)');
      s.socket.write('ping');
      const [d] = (await once(s.socket, 'data')) as [Buffer];
      t.equal(d.toString(), 'ping', 'and it still works: the check port failed, not the service');
      s.socket.destroy();
    }
  }
});

t.test('slow start: a backend back from down ramps its weight', async (t) => {
  const a = await tagServer('a');
  const health = await tagServer('health');
  t.teardown(() => Promise.all([a.close(), health.close().catch(() => {})]));
  const p = await pool([{ name: 'a', port: a.port }], { type: 'tcp', port: health.port, rise: 1, fall: 1 }, { 'slow-start': '3s' });
  await waitFor('checked', () => backend(p, 'a').lastCheck?.ok);
  t.equal(backend(p, 'a').effectiveWeight(), 1, 'no ramp at start (as HAProxy)');
  const hport = health.port;
  await health.close();
  await waitFor('down', () => !backend(p, 'a').up, 10_000);
  const h2 = await tagServer('health', { port: hport });
  t.teardown(() => h2.close());
  await waitFor('up', () => backend(p, 'a').up, 10_000);
  const w1 = backend(p, 'a').effectiveWeight();
  t.ok(w1 < 0.6, `just up: weight ${w1.toFixed(2)} of 1`);
  await sleep(600);
  const w2 = backend(p, 'a').effectiveWeight();
  t.ok(w2 > w1, `ramping: ${w1.toFixed(2)} -> ${w2.toFixed(2)}`);
  await waitFor('full weight', () => backend(p, 'a').effectiveWeight() === 1, 6000, 100);
});
