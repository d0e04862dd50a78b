/**
 * The active proxy paused with SIGSTOP for 5 s, in bind mode on one host.
 *
 * Without Redis (Keepalived's behaviour): the standby declares itself active once the adverts stop, but
 * cannot bind the address the frozen process still holds; after SIGCONT the two hear each other and the
 * lower priority steps down within an advert interval or two, leaving one active.
 *
 * With Redis: the standby takes the lease (a higher epoch) once the old one expires. When the paused
 * proxy resumes, its lease deadline is behind it: it drops the VIP before serving anything, so a client
 * that connected to it during the pause is closed without a byte, and the standby binds the VIP and serves.
 * Skips the Redis part with a printed reason when redis-server is not installed.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { sleep, startRedis, waitFor } from './helpers.js';
import { INTERVAL, isServing, pairSettings, role, timeUntilServed, vipServes } from './vip-helpers.js';

const PAUSE = 5000;
const node = await startTestNode();
t.teardown(() => node.close());

t.test('without redis: Keepalived behaviour, one active after resume', async (t) => {
  const VIP = '127.0.0.51';
  const pair = await pairSettings({ vip: VIP, backendPort: node.port });
  const a = await pair.start(0);
  t.teardown(() => a.stop('SIGKILL'));
  const b = await pair.start(1);
  t.teardown(() => b.stop('SIGKILL'));
  await waitFor('a active', () => isServing(a), 20_000);

  a.signal('SIGSTOP');
  const paused = Date.now();
  await waitFor('b to declare itself active', async () => (await role(b)).role === 'active', 10_000);
  t.comment(`b active ${Date.now() - paused} ms into the pause`);
  t.equal((await role(b)).held, false, 'but it cannot bind: the frozen process still has the socket (a bind-mode limit on one host)');
  await sleep(PAUSE - (Date.now() - paused));
  a.signal('SIGCONT');
  const resumed = Date.now();
  await waitFor('one active again', async () => (await role(b)).role === 'standby' && (await role(a)).role === 'active', 10_000, 20);
  t.comment(`b stepped down ${Date.now() - resumed} ms after a resumed (advert interval ${INTERVAL} ms)`);
  t.ok(await vipServes(VIP, pair.port), 'the VIP serves');
});

t.test('with redis: the resumed proxy finds its lease gone and serves nothing', async (t) => {
  const redis = await startRedis();
  if ('skip' in redis) {
    t.comment(`skipping: ${redis.skip}`);
    return;
  }
  t.teardown(() => redis.stop());
  const VIP = '127.0.0.52';
  // preempt off: after the pause, a must stay standby rather than take the VIP back by the usual handover.
  const pair = await pairSettings({ vip: VIP, backendPort: node.port, redisUrl: redis.url, preempt: false });
  const a = await pair.start(0);
  t.teardown(() => a.stop('SIGKILL'));
  const b = await pair.start(1);
  t.teardown(() => b.stop('SIGKILL'));
  await waitFor('a active', () => isServing(a), 20_000);
  const epochA = (await role(a)).epoch;
  t.ok(epochA > 0, `a holds the lease, epoch ${epochA}`);
  t.match(await role(b), { role: 'standby', lease: 'not held' });

  a.signal('SIGSTOP');
  const paused = Date.now();
  // A client connecting now lands in the frozen process's accept queue.
  const early = connect({ host: VIP, port: pair.port });
  let earlyBytes = 0;
  early.on('data', (d) => (earlyBytes += d.length));
  early.on('error', () => {});
  await once(early, 'connect');
  early.write('AMQP\x00\x00\x09\x01');
  const earlyClosed = new Promise((resolve) => early.on('close', resolve)); // (once() would reject on the reset)

  await waitFor('b to win the lease', async () => (await role(b)).role === 'active', 10_000);
  const rb = await role(b);
  t.ok(rb.epoch > epochA, `b active with epoch ${rb.epoch} > ${epochA}, ${Date.now() - paused} ms into the pause`);
  await sleep(PAUSE - (Date.now() - paused));
  a.signal('SIGCONT');
  const resumed = Date.now();

  await earlyClosed;
  t.equal(earlyBytes, 0, 'the connection queued during the pause was closed without a byte (a did not serve it)');
  const took = await timeUntilServed(VIP, pair.port, b, resumed, 10_000);
  t.comment(`b serving on the VIP ${took} ms after a resumed`);
  const ra = await role(a);
  t.match(ra, { role: 'standby', held: false, lease: 'not held' }, 'a is standby');
  t.ok(ra.fenced >= 1, 'a recorded that it was fenced');
  t.match(a.output(), /fenced; releasing the address before serving anything/);
  const before = (await a.stats()).frontends[0]!;
  t.equal(before.status, 'STOP', 'a does not listen');
  t.match(await role(b), { role: 'active', held: true });
  for (let i = 0; i < 3; i++) t.ok(await vipServes(VIP, pair.port), 'new connections are served (by b)');
  t.equal((await a.stats()).frontends[0]!.total, before.total, 'a served no session after it resumed');
});
