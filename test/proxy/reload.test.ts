/**
 * SIGHUP reload of a real proxy process: established sessions survive; new backends, limits and
 * frontends apply to new connections; a bad file is refused and the running configuration kept.
 */
import { once } from 'node:events';
import t from 'tap';
import { freePort } from '../helpers/node.js';
import { greeting, spawnProxy, tagServer, waitFor, whoServes } from './helpers.js';

const a = await tagServer('a');
const b = await tagServer('b');
t.teardown(() => Promise.all([a.close(), b.close()]));
const port = await freePort();
const extraPort = await freePort();
const config = (backends: string[], maxconn: number, extra: boolean) => ({
  pools: [{ name: 'p', check: { type: 'tcp', inter: 200, timeout: 1000 }, backends }],
  frontends: [{ name: 'main', listen: [`127.0.0.1:${port}`], maxconn }, ...(extra ? [{ name: 'extra', listen: [`127.0.0.1:${extraPort}`] }] : [])],
});
const proxy = await spawnProxy(config([`a=127.0.0.1:${a.port}`], 100, false));
t.teardown(() => proxy.stop('SIGKILL'));
await waitFor('listening', async () => (await proxy.stats()).frontends[0]!.status === 'OPEN');

t.test('reload: the old session lives on; new backend, limit and frontend take effect', async (t) => {
  const old = await greeting(port);
  t.equal(old.name, 'a');
  proxy.writeConfig(config([`b=127.0.0.1:${b.port}`], 2, true));
  proxy.signal('SIGHUP');
  await waitFor('the reload', () => /configuration reloaded/.test(proxy.output()), 15_000);
  t.equal((await proxy.stats()).pools[0]!.backends.map((x) => x.name).join(), 'b', 'the pool now has b only');

  old.socket.write('after reload');
  const [d] = (await once(old.socket, 'data')) as [Buffer];
  t.equal(d.toString(), 'after reload', 'the session established before the reload still works (through a)');

  const fresh = await greeting(port);
  t.equal(fresh.name, 'b', 'a new connection goes to the new backend');
  await t.rejects(greeting(port), /closed without a greeting/, 'the new maxconn (2) applies: the old session counts');
  const s = await proxy.stats();
  t.equal(s.frontends[0]!.limit, 2);
  t.equal(s.frontends[0]!.denied, 1);
  t.equal(await whoServes(extraPort), 'b', 'the new frontend listens');
  old.socket.destroy();
  fresh.socket.destroy();
});

t.test('reload: a bad file is refused and the running configuration kept', async (t) => {
  proxy.writeConfig({ ...config([`b=127.0.0.1:${b.port}`], 2, true), pools: [{ name: 'p', balance: 'random', backends: ['127.0.0.1:1'] }] });
  proxy.signal('SIGHUP');
  await waitFor('the refusal in the log', () => /reload refused/.test(proxy.output()), 15_000);
  t.match(proxy.output(), /invalid config key 'pools\[0\]\.balance': \\"random\\"/);
  t.equal(await whoServes(port), 'b', 'still serving with the previous configuration');
  t.notOk(proxy.exited);
});
