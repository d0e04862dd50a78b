/**
 * Balancing over real TCP backends that greet each connection with their name: roundrobin (weighted,
 * smooth), leastconn, source affinity; connection limits; redispatch when a backend refuses; half-close in
 * both directions; the idle timeout (off by default).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import t from 'tap';
import { frontendPort, greeting, sleep, startProxy, tagServer, waitFor, whoServes, type TagServer } from './helpers.js';

async function servers(...names: string[]): Promise<TagServer[]> {
  const list = await Promise.all(names.map((n) => tagServer(n)));
  t.teardown(() => Promise.all(list.map((s) => s.close())));
  return list;
}

async function proxyFor(backends: (TagServer | { name: string; port: number; weight?: number; maxconn?: number })[], pool: Record<string, unknown> = {}, frontend: Record<string, unknown> = {}) {
  const p = await startProxy({
    pools: [
      {
        name: 'p',
        check: { type: 'none' },
        ...pool,
        backends: backends.map((b) => ({ name: b.name, address: `127.0.0.1:${b.port}`, ...('weight' in b ? { weight: b.weight } : {}), ...('maxconn' in b ? { maxconn: b.maxconn } : {}) })),
      },
    ],
    frontends: [{ name: 'main', listen: ['127.0.0.1:0'], ...frontend }],
  });
  t.teardown(() => p.close());
  return { p, port: frontendPort(p) };
}

const count = (names: string[]): Record<string, number> => names.reduce<Record<string, number>>((m, n) => ((m[n] = (m[n] ?? 0) + 1), m), {});

t.test('roundrobin spreads evenly, in order', async (t) => {
  const [a, b, c] = await servers('a', 'b', 'c');
  const { port } = await proxyFor([a!, b!, c!]);
  const seen: string[] = [];
  for (let i = 0; i < 30; i++) seen.push(await whoServes(port));
  t.same(count(seen), { a: 10, b: 10, c: 10 });
  t.same(seen.slice(0, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
});

t.test('weighted roundrobin is smooth (5:1:1 gives a a b a c a a)', async (t) => {
  const [a, b, c] = await servers('a', 'b', 'c');
  const { port } = await proxyFor([{ name: 'a', port: a!.port, weight: 5 }, { name: 'b', port: b!.port, weight: 1 }, { name: 'c', port: c!.port, weight: 1 }]);
  const seen: string[] = [];
  for (let i = 0; i < 14; i++) seen.push(await whoServes(port));
  t.same(seen.slice(0, 7), ['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  t.same(count(seen), { a: 10, b: 2, c: 2 });
});

t.test('leastconn sends new sessions to the backend with fewest open', async (t) => {
  const [a, b] = await servers('a', 'b');
  const { p, port } = await proxyFor([a!, b!], { balance: 'leastconn' });
  const open = await Promise.all([1, 2, 3, 4].map(() => greeting(port)));
  t.same(count(open.map((o) => o.name)), { a: 2, b: 2 });
  for (const o of open.filter((o) => o.name === 'a')) o.socket.destroy();
  await waitFor('a to have no sessions', () => p.pools.get('p')!.find('a')!.counters.cur === 0);
  const next = await Promise.all([1, 2].map(() => greeting(port)));
  t.same(next.map((n) => n.name), ['a', 'a'], 'both new sessions go to the empty backend');
  for (const o of [...open, ...next]) o.socket.destroy();
});

t.test('source: a client address sticks to one backend; removing a backend moves only its clients', async (t) => {
  const [a, b, c] = await servers('a', 'b', 'c');
  const { p, port } = await proxyFor([a!, b!, c!], { balance: 'source' });
  const map = new Map<string, string>();
  const unstable: string[] = [];
  for (let i = 2; i < 32; i++) {
    const src = `127.0.0.${i}`;
    const names = [await whoServes(port, '127.0.0.1', src), await whoServes(port, '127.0.0.1', src), await whoServes(port, '127.0.0.1', src)];
    if (new Set(names).size !== 1) unstable.push(`${src}: ${names.join(',')}`);
    map.set(src, names[0]!);
  }
  t.same(unstable, [], 'every client address always lands on the same backend');
  const spread = count([...map.values()]);
  t.ok(Object.keys(spread).length === 3, `30 addresses use all three backends: ${JSON.stringify(spread)}`);
  p.setAdmin('c', 'maint');
  const wrong: string[] = [];
  for (const [src, before] of map) {
    const now = await whoServes(port, '127.0.0.1', src);
    if (before === 'c' ? now === 'c' : now !== before) wrong.push(`${src}: ${before} -> ${now}`);
  }
  t.same(wrong, [], "with c in maintenance, c's clients moved and nobody else did");
});

t.test('frontend maxconn: the client over the limit is closed, and counted', async (t) => {
  const [a] = await servers('a');
  const { p, port } = await proxyFor([a!], {}, { maxconn: 2 });
  const held = await Promise.all([greeting(port), greeting(port)]);
  await t.rejects(greeting(port), /closed without a greeting/);
  t.equal(p.frontends.get('main')!.denied, 1);
  held[0]!.socket.destroy();
  await waitFor('a free slot', () => p.frontends.get('main')!.counters.cur === 1);
  const again = await greeting(port);
  t.equal(again.name, 'a');
  again.socket.destroy();
  held[1]!.socket.destroy();
});

t.test('backend maxconn: a full backend is skipped', async (t) => {
  const [a, b] = await servers('a', 'b');
  const { port } = await proxyFor([{ name: 'a', port: a!.port, maxconn: 1 }, b!]);
  const first = await greeting(port);
  t.equal(first.name, 'a');
  const others = [];
  for (let i = 0; i < 4; i++) others.push(await greeting(port));
  t.same(others.map((o) => o.name), ['b', 'b', 'b', 'b'], 'a is at its maxconn of 1');
  for (const o of [first, ...others]) o.socket.destroy();
});

t.test('a refused connection is retried on another backend (redispatch)', async (t) => {
  const [a, dead] = await servers('a', 'dead');
  await dead!.close();
  const { p, port } = await proxyFor([{ name: 'dead', port: dead!.port }, a!]);
  for (let i = 0; i < 6; i++) t.equal(await whoServes(port), 'a');
  t.ok(p.pools.get('p')!.find('dead')!.connectErrors >= 3, 'the refusals are counted');
});

t.test('no backend left: the client is closed', async (t) => {
  const [dead] = await servers('dead');
  await dead!.close();
  const { p, port } = await proxyFor([dead!], { retries: 1 });
  await t.rejects(greeting(port), /closed without a greeting/);
  await waitFor('the session to end', () => p.frontends.get('main')!.counters.cur === 0);
  t.equal(p.pools.get('p')!.counters.cur, 0);
  t.equal(p.pools.get('p')!.find('dead')!.counters.cur, 0, 'no session left assigned');
});

t.test('half-close: the client FINs, the backend still answers, then FINs', async (t) => {
  const late = await tagServer('late', {
    onSocket: (s) => {
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => setTimeout(() => s.end(`reply to ${got} after your FIN`), 200));
    },
  });
  t.teardown(() => late.close());
  const { p, port } = await proxyFor([late]);
  const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(c, 'connect');
  c.end('question');
  let answer = '';
  c.on('data', (d) => (answer += d));
  await once(c, 'end');
  t.equal(answer, 'reply to question after your FIN');
  c.destroy();
  await waitFor('the session to end', () => p.frontends.get('main')!.counters.cur === 0);
});

t.test('half-close the other way: the backend FINs first, the client keeps sending', async (t) => {
  const early = await tagServer('early', {
    onSocket: (s) => {
      s.end('bye\n');
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => {
        early.server.emit('got', got);
      });
    },
  });
  t.teardown(() => early.close());
  const { port } = await proxyFor([early]);
  const c = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  c.on('data', () => {});
  await once(c, 'end');
  const got = once(early.server, 'got');
  c.end('still talking');
  t.same(await got, ['still talking']);
});

t.test('no idle timeout by default; timeout-idle closes a silent session', async (t) => {
  const [a] = await servers('a');
  const { port } = await proxyFor([a!]);
  const s = await greeting(port);
  await sleep(1500);
  s.socket.write('still there?');
  const [echo] = (await once(s.socket, 'data')) as [Buffer];
  t.equal(echo.toString(), 'still there?', 'a quiet session survives');
  s.socket.destroy();

  const { port: port2 } = await proxyFor([a!], {}, { 'timeout-idle': 300 });
  const s2 = await greeting(port2);
  const started = Date.now();
  await once(s2.socket, 'close');
  const took = Date.now() - started;
  t.ok(took >= 250 && took < 5000, `closed after ${took} ms idle`);
});
