/**
 * Durable definitions across restarts of a spawned node (clean SIGTERM and kill -9) on one data folder:
 * durable exchanges and queues come back with their arguments (alternate-exchange, x-max-priority,
 * x-message-ttl: re-declaring with other values is still 406), bindings between durable ends (queue and
 * exchange-to-exchange) still route, and transient, exclusive, deleted and auto-deleted things stay gone.
 * A second restart checks what compaction wrote. Policies (set in-process) survive in-process restarts.
 */
import t from 'tap';
import type { Channel, ChannelModel } from 'amqplib';
import type { TapTest as Tap } from '../../helpers/raw-client.js';
import { drain } from '../broker/helpers.js';
import { channel, confirmChannel, connect, dataDir, publishConfirmed, rejection, spawnOn, startTestNode, stopNode, type Scope } from './helpers.js';

t.setTimeout(600_000);

async function declareAll(t: Scope, url: string): Promise<void> {
  const conn = await connect(t, url);
  const ch = await channel(conn);
  await ch.assertExchange('d.ae', 'fanout', { durable: true });
  await ch.assertExchange('d.main', 'topic', { durable: true, alternateExchange: 'd.ae' });
  await ch.assertExchange('d.fan', 'fanout', { durable: true });
  await ch.assertQueue('d.q.ae', { durable: true });
  await ch.assertQueue('d.q.prio', { durable: true, maxPriority: 5 });
  await ch.assertQueue('d.q.ttl', { durable: true, messageTtl: 60_000, deadLetterExchange: 'd.ae' });
  await ch.bindQueue('d.q.ae', 'd.ae', '');
  await ch.bindQueue('d.q.prio', 'd.main', 'prio.#');
  await ch.bindExchange('d.fan', 'd.main', 'e2e.*');
  await ch.bindQueue('d.q.ttl', 'd.fan', '');
  // a binding removed again must stay removed
  await ch.bindQueue('d.q.prio', 'd.main', 'gone.#');
  await ch.unbindQueue('d.q.prio', 'd.main', 'gone.#');
  // transient and exclusive ones, with bindings from a durable exchange
  await ch.assertExchange('t.x', 'direct', { durable: false });
  await ch.assertQueue('t.q', { durable: false });
  await ch.bindQueue('t.q', 'd.main', 'transient.#');
  await ch.assertQueue('t.excl', { durable: true, exclusive: true });
  await ch.bindQueue('t.excl', 'd.main', 'excl.#');
  await ch.bindExchange('t.x', 'd.main', 'tx.#');
  // deleted durable ones
  await ch.assertQueue('d.q.deleted', { durable: true });
  await ch.deleteQueue('d.q.deleted');
  await ch.assertExchange('d.x.deleted', 'direct', { durable: true });
  await ch.deleteExchange('d.x.deleted');
  // auto-delete durable exchanges: one loses its last binding (and goes), one keeps it
  await ch.assertExchange('d.ad.gone', 'direct', { durable: true, autoDelete: true });
  await ch.bindQueue('d.q.ae', 'd.ad.gone', 'k');
  await ch.unbindQueue('d.q.ae', 'd.ad.gone', 'k');
  await ch.assertExchange('d.ad.kept', 'direct', { durable: true, autoDelete: true });
  await ch.bindQueue('d.q.ae', 'd.ad.kept', 'k');
  // still connected: the node stops with the exclusive queue's owner alive
}

/** Whether a passive declare finds it (a 404 closes the channel, so each probe gets its own). */
async function exists(conn: ChannelModel, kind: 'queue' | 'exchange', name: string): Promise<boolean> {
  const ch = await channel(conn);
  try {
    await (kind === 'queue' ? ch.checkQueue(name) : ch.checkExchange(name));
    await ch.close();
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return false;
    throw e;
  }
}

async function code(conn: ChannelModel, what: string, op: (ch: Channel) => Promise<unknown>): Promise<number | undefined> {
  const ch = await channel(conn);
  return (await rejection(op(ch), what)).code;
}

async function verifyAll(t: Tap, url: string, when: string): Promise<void> {
  const conn = await connect(t, url);
  for (const name of ['d.ae', 'd.main', 'd.fan', 'd.ad.kept']) t.ok(await exists(conn, 'exchange', name), `${when}: durable exchange ${name} is back`);
  for (const name of ['d.q.ae', 'd.q.prio', 'd.q.ttl']) t.ok(await exists(conn, 'queue', name), `${when}: durable queue ${name} is back`);
  for (const name of ['t.x', 'd.x.deleted', 'd.ad.gone']) t.notOk(await exists(conn, 'exchange', name), `${when}: exchange ${name} is gone`);
  for (const name of ['t.q', 't.excl', 'd.q.deleted']) t.notOk(await exists(conn, 'queue', name), `${when}: queue ${name} is gone`);

  // arguments survived: the same declaration is accepted, a different one is inequivalent (406)
  const ch = await channel(conn);
  await ch.assertExchange('d.main', 'topic', { durable: true, alternateExchange: 'd.ae' });
  await ch.assertQueue('d.q.prio', { durable: true, maxPriority: 5 });
  await ch.assertQueue('d.q.ttl', { durable: true, messageTtl: 60_000, deadLetterExchange: 'd.ae' });
  t.equal(await code(conn, 'd.main with another AE', (c) => c.assertExchange('d.main', 'topic', { durable: true, alternateExchange: 'x' })), 406, `${when}: alternate-exchange kept`);
  t.equal(await code(conn, 'd.main as direct', (c) => c.assertExchange('d.main', 'direct', { durable: true, alternateExchange: 'd.ae' })), 406, `${when}: type kept`);
  t.equal(await code(conn, 'd.q.prio with max 3', (c) => c.assertQueue('d.q.prio', { durable: true, maxPriority: 3 })), 406, `${when}: x-max-priority kept`);
  t.equal(await code(conn, 'd.q.ttl with ttl 1000', (c) => c.assertQueue('d.q.ttl', { durable: true, messageTtl: 1000, deadLetterExchange: 'd.ae' })), 406, `${when}: x-message-ttl kept`);
  t.equal(await code(conn, 'd.ad.kept not auto-delete', (c) => c.assertExchange('d.ad.kept', 'direct', { durable: true, autoDelete: false })), 406, `${when}: auto_delete kept`);

  // routing: bindings, exchange-to-exchange, alternate exchange, priorities
  const pub = await confirmChannel(conn);
  for (const [key, body] of [['nomatch', 'nomatch'], ['gone.1', 'gone'], ['excl.1', 'excl'], ['transient.1', 'transient'], ['tx.1', 'tx']] as const) {
    await publishConfirmed(pub, 'd.main', key, body);
  }
  await publishConfirmed(pub, 'd.ad.kept', 'k', 'kept');
  for (const p of [1, 5, 3]) await publishConfirmed(pub, 'd.main', 'prio.x', `p${p}`, { priority: p });
  await publishConfirmed(pub, 'd.main', 'e2e.z', 'e2e');
  t.same(await drain(ch, 'd.q.ae'), ['nomatch', 'gone', 'excl', 'transient', 'tx', 'kept'], `${when}: unroutable ones reach the alternate exchange; d.ad.kept still bound`);
  t.same(await drain(ch, 'd.q.prio'), ['p5', 'p3', 'p1'], `${when}: prio.# binding and x-max-priority ordering`);
  t.same(await drain(ch, 'd.q.ttl'), ['e2e'], `${when}: exchange-to-exchange binding d.main -> d.fan -> d.q.ttl`);
  await conn.close();
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  t.test(`durable definitions survive a ${signal} restart and a second restart after compaction`, async (t) => {
    const dir = dataDir(t);
    const first = await spawnOn(t, dir);
    await declareAll(t, first.url);
    await stopNode(first, signal);
    const second = await spawnOn(t, dir);
    await verifyAll(t, second.url, `after ${signal}`);
    await stopNode(second, 'SIGKILL');
    const third = await spawnOn(t, dir);
    await verifyAll(t, third.url, 'after the compacted log is replayed');
    t.notMatch(third.output(), /corrupt/, 'no corrupt records reported');
  });
}

t.test('policies and operator policies survive in-process restarts; updated and cleared ones stay as left', async (t) => {
  const dir = dataDir(t);
  let node = await startTestNode({ dataDir: dir });
  let v = node.node.broker.vhosts.get('/')!;
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertQueue('pol.q', { durable: true });
  await ch.assertExchange('pol.x', 'direct', { durable: true });
  v.setPolicy('policy', { name: 'limits', pattern: '^pol\\.', applyTo: 'queues', priority: 3, definition: { 'max-length': 100 } });
  v.setPolicy('policy', { name: 'limits', pattern: '^pol\\.', applyTo: 'queues', priority: 4, definition: { 'max-length': 10, 'message-ttl': 60_000, 'dead-letter-exchange': 'dlx' } });
  v.setPolicy('policy', { name: 'ae', pattern: '^pol\\.x$', applyTo: 'exchanges', priority: 0, definition: { 'alternate-exchange': 'pol.ae' } });
  v.setPolicy('policy', { name: 'temp', pattern: '^nothing$', applyTo: 'all', priority: 0, definition: { expires: 1000 } });
  v.clearPolicy('policy', 'temp');
  v.setPolicy('operator-policy', { name: 'cap', pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'max-length': 5 } });
  await conn.close();
  await node.close();

  for (const round of ['first restart', 'second restart (compacted log)']) {
    node = await startTestNode({ dataDir: dir });
    v = node.node.broker.vhosts.get('/')!;
    t.same([...v.policies.keys()].sort(), ['ae', 'limits'], `${round}: policies`);
    t.match(v.policies.get('limits'), { pattern: '^pol\\.', applyTo: 'queues', priority: 4, definition: { 'max-length': 10, 'message-ttl': 60_000, 'dead-letter-exchange': 'dlx' } });
    t.same([...v.operatorPolicies.keys()], ['cap'], `${round}: operator policies`);
    const q = v.queues.get('pol.q');
    t.match(q, { policy: 'limits', operatorPolicy: 'cap', settings: { maxLength: 5, messageTtl: 60_000, deadLetterExchange: 'dlx' } }, `${round}: applied to the queue`);
    t.match(v.exchanges.get('pol.x'), { policy: 'ae', alternate: 'pol.ae' }, `${round}: applied to the exchange`);
    await node.close();
  }
});
