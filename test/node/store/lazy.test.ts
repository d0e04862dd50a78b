/**
 * Lazy queues keep message bodies on disk: chosen by x-queue-mode=lazy or by a queue-mode policy (the
 * policy wins over the argument, both ways); their entries hold no body in memory; a policy set and cleared
 * on a queue that holds messages pages them out and back in; a spawned node's RSS
 * grows far less for 50,000 x 1 KB in a lazy queue than in a normal one; everything is delivered intact and
 * in order; persistent messages in a durable lazy queue survive a restart (transient ones do not).
 */
import t from 'tap';
import type { Options } from 'amqplib';
import type { TapTest as Tap } from '../../helpers/raw-client.js';
import {
  bodyFor,
  channel,
  confirmChannel,
  connect,
  consumeN,
  dataDir,
  depth,
  publishMany,
  readyEntries,
  rssBytes,
  sleep,
  spawnOn,
  startTestNode,
  stopNode,
} from './helpers.js';

t.setTimeout(600_000);

const KB = 1024;
const MB = 1024 * 1024;

t.test('queue mode: x-queue-mode=lazy or a queue-mode policy; the policy wins over the argument', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const v = node.node.broker.vhosts.get('/')!;
  v.setPolicy('policy', { name: 'to-lazy', pattern: '^pol-lazy', applyTo: 'queues', priority: 0, definition: { 'queue-mode': 'lazy' } });
  v.setPolicy('policy', { name: 'to-default', pattern: '^pol-default', applyTo: 'queues', priority: 0, definition: { 'queue-mode': 'default' } });
  const cases: [string, Options.AssertQueue['arguments'], 'lazy' | 'default'][] = [
    ['arg-lazy', { 'x-queue-mode': 'lazy' }, 'lazy'],
    ['pol-lazy-no-arg', {}, 'lazy'],
    ['pol-lazy-arg-default', { 'x-queue-mode': 'default' }, 'lazy'],
    ['pol-default-arg-lazy', { 'x-queue-mode': 'lazy' }, 'default'],
    ['plain', {}, 'default'],
  ];
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  const N = 300;
  for (const [name, args, mode] of cases) {
    await pub.assertQueue(name, { durable: true, arguments: args });
    await publishMany(pub, '', name, N, (i) => bodyFor(i, KB), { persistent: persistentFor(name) });
    const q = v.queues.get(name)!;
    t.equal(q.settings.queueMode, mode, `${name}: ${mode}`);
    const entries = readyEntries(q);
    t.equal(entries.length, N);
    if (mode === 'lazy') t.ok(entries.every((e) => e.msg === null && e.stored !== null), `${name}: every body is on disk only`);
    else t.ok(entries.every((e) => e.msg !== null), `${name}: bodies in memory`);
    const got = await consumeN(await channel(conn), name, N);
    t.ok(got.length === N && got.every((m, i) => m.content.equals(bodyFor(i, KB))), `${name}: ${N} delivered intact and in order`);
  }
});

t.test('a queue-mode policy set and cleared live pages queued messages out and back in, order kept', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const v = node.node.broker.vhosts.get('/')!;
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await pub.assertQueue('switch', { durable: true });
  const N = 3000; // past the entries a queue keeps as objects, so most are packed
  await publishMany(pub, '', 'switch', N, (i) => bodyFor(i, KB));
  // the head taken and returned unacked: it waits among the requeued entries, which are paged too
  const taker = await channel(conn);
  t.ok(await taker.get('switch', { noAck: false }), 'the head taken unacked');
  await taker.close();
  const q = v.queues.get('switch')!;
  t.equal(q.messageCount, N, 'and returned');

  v.setPolicy('policy', { name: 'lazy-now', pattern: '^switch$', applyTo: 'queues', priority: 0, definition: { 'queue-mode': 'lazy' } });
  t.ok(readyEntries(q).every((e) => e.msg === null && e.stored !== null), 'lazy now: every body on disk only');
  v.clearPolicy('policy', 'lazy-now');
  t.ok(readyEntries(q).every((e) => e.msg !== null), 'default again: every body back in memory');

  const got = await consumeN(await channel(conn), 'switch', N);
  t.equal(got.findIndex((m, i) => !m.content.equals(bodyFor(i, KB))), -1, `all ${N} delivered intact and in order`);
  t.same(got.slice(0, 2).map((m) => m.fields.redelivered), [true, false], 'the returned head first, marked redelivered');
});

/** Persistent for the policy cases, transient for the others: lazy queues store transient messages too. */
function persistentFor(name: string): boolean {
  return name.startsWith('pol-');
}

async function growth(t: Tap, lazy: boolean, count: number): Promise<{ rss: number; node: Awaited<ReturnType<typeof spawnOn>> }> {
  const node = await spawnOn(t, dataDir(t));
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  const q = lazy ? 'mem-lazy' : 'mem-normal';
  await ch.assertQueue(q, { durable: true, arguments: lazy ? { 'x-queue-mode': 'lazy' } : {} });
  await publishMany(ch, '', q, 2000, (i) => bodyFor(i, KB), {}, 1000); // warm up, then start from empty
  await ch.purgeQueue(q);
  await sleep(500);
  const before = rssBytes(node.child.pid!);
  await publishMany(ch, '', q, count, (i) => bodyFor(i, KB), {}, 1000, 180_000);
  await sleep(1000);
  const rss = rssBytes(node.child.pid!) - before;
  t.equal(await depth(ch, q), count, `${q}: ${count} queued`);
  await conn.close();
  return { rss, node };
}

t.test('50,000 x 1 KB: a lazy queue grows the node far less than a normal queue, and delivers all in order', async (t) => {
  const N = 50_000;
  const normal = await growth(t, false, N);
  await stopNode(normal.node, 'SIGKILL');
  const lazy = await growth(t, true, N);
  const payload = N * KB;
  t.comment(`RSS growth for ${payload / MB} MB of bodies: normal ${(normal.rss / MB).toFixed(1)} MB, lazy ${(lazy.rss / MB).toFixed(1)} MB`);
  t.ok(normal.rss > payload * 0.5, 'the normal queue holds the bodies in memory (sanity check of the measure)');
  t.ok(lazy.rss < normal.rss * 0.6, 'lazy growth is well under the normal growth');
  t.ok(lazy.rss < 48 * MB, 'lazy growth is under 48 MB');
  const ch = await channel(await connect(t, lazy.node.url));
  const got = await consumeN(ch, 'mem-lazy', N, { ms: 120_000 });
  const bad = got.findIndex((m, i) => !m.content.equals(bodyFor(i, KB)));
  t.equal(bad, -1, `all ${N} delivered from disk intact and in order`);
});

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  t.test(`${signal}: persistent messages of a durable lazy queue survive the restart, in order; transient ones do not`, async (t) => {
    const dir = dataDir(t);
    const node = await spawnOn(t, dir);
    const conn = await connect(t, node.url);
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lazy-durable', { durable: true, arguments: { 'x-queue-mode': 'lazy' } });
    for (let i = 0; i < 20; i++) {
      await publishMany(ch, '', 'lazy-durable', 100, (k) => bodyFor(i * 200 + k, KB), { persistent: true });
      await publishMany(ch, '', 'lazy-durable', 100, (k) => bodyFor(i * 200 + 100 + k, KB), { persistent: false });
    }
    t.equal(await depth(ch, 'lazy-durable'), 4000);
    await stopNode(node, signal);
    const again = await spawnOn(t, dir);
    const ch2 = await channel(await connect(t, again.url));
    t.equal(await depth(ch2, 'lazy-durable'), 2000, 'the 2000 persistent ones are back');
    const got = await consumeN(ch2, 'lazy-durable', 2000);
    const want = Array.from({ length: 2000 }, (_, j) => bodyFor(Math.floor(j / 100) * 200 + (j % 100), KB));
    t.equal(got.findIndex((m, j) => !m.content.equals(want[j]!)), -1, 'intact and in publish order');
    t.ok(got.every((m) => m.fields.redelivered), 'marked redelivered');
  });
}
