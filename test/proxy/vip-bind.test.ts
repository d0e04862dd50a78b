/**
 * VIP bind mode with two real proxy processes on a loopback alias (127.0.0.50 needs no setup on Linux):
 * the active binds the VIP and the standby does not; kill -9 of the active makes the standby bind it and a
 * new AMQP connection (amqplib) to the VIP works; the restarted higher-priority proxy preempts by the
 * active yielding; a graceful stop hands over in under a second.
 */
import amqplib from 'amqplib';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { waitFor } from './helpers.js';
import { INTERVAL, isServing, pairSettings, role, timeUntilServed, vipServes } from './vip-helpers.js';

const VIP = '127.0.0.50';
const node = await startTestNode();
t.teardown(() => node.close());
const pair = await pairSettings({ vip: VIP, backendPort: node.port });
const url = `amqp://guest:guest@${VIP}:${pair.port}`;

let a = await pair.start(0);
t.teardown(() => a.stop('SIGKILL'));
const b = await pair.start(1);
t.teardown(() => b.stop('SIGKILL'));

t.test('the higher priority becomes active and binds the VIP; the standby does not listen', async (t) => {
  await waitFor('a active', () => isServing(a), 20_000);
  t.match(await role(a), { role: 'active', held: true });
  t.match(await role(b), { role: 'standby', held: false });
  t.equal((await b.healthz()).status, 503, 'the standby is not ready');
  t.equal((await b.stats()).frontends[0]!.status, 'STOP');
  const c = await amqplib.connect(url);
  const ch = await c.createChannel();
  await ch.assertQueue('', { exclusive: true });
  await c.close();
  t.ok((await a.stats()).frontends[0]!.total >= 1, 'served by a');
});

t.test('kill -9 the active: the standby binds the VIP and a new AMQP connection succeeds', async (t) => {
  const killed = Date.now();
  await a.stop('SIGKILL');
  const took = await timeUntilServed(VIP, pair.port, b, killed);
  t.ok(took < 3 * INTERVAL + INTERVAL + 2500, `VIP served again ${took} ms after kill -9 (dead after ${3 * INTERVAL} ms + skew)`);
  t.match(await role(b), { role: 'active', held: true });
  const c = await amqplib.connect(url);
  await c.close();
  t.pass('amqplib connects through the VIP to the new active');
});

t.test('the old active comes back with the higher priority: the active yields to it', async (t) => {
  a = await pair.start(0);
  const started = Date.now();
  await waitFor('a active again', () => isServing(a), 20_000);
  t.match(await role(b), { role: 'standby', held: false });
  t.ok(await vipServes(VIP, pair.port), 'the VIP serves');
  t.comment(`preemption took ${Date.now() - started} ms from the process start`);
});

t.test('graceful stop (SIGTERM) hands the VIP over in under a second', async (t) => {
  const stopped = Date.now();
  a.signal('SIGTERM');
  const took = await timeUntilServed(VIP, pair.port, b, stopped, 10_000);
  t.ok(took < 1000, `VIP served by the standby ${took} ms after SIGTERM`);
  t.match(await role(b), { role: 'active', held: true });
  t.equal(await a.stop(), 0, 'the stopped proxy exits 0');
  t.match(a.output(), /VIP released for shutdown/);
});
