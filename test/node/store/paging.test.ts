/**
 * Paging of normal queues under memory pressure (memory-paging-ratio, lowered and raised through the live
 * config object): once the node pages, every ready message of a normal queue (plain and priority) is on
 * disk only, and so is every message published while it pages; after paging stops new messages stay in
 * memory again. Byte counts do not change, and everything is delivered intact and in order (priority order
 * for the priority queue), small and large bodies, persistent and transient alike.
 */
import t from 'tap';
import type { ConfirmChannel } from 'amqplib';
import { bodyFor, channel, confirmChannel, connect, consumeN, readyEntries, SLOW_MS, startTestNode, until, within, type TestNode } from './helpers.js';

t.setTimeout(300_000);

const PER_PHASE = 600;
/** Mostly small bodies, every 7th large enough to be kept as a shared object rather than packed. */
const sizeOf = (i: number): number => (i % 7 === 0 ? 6000 : 100 + (i % 50));
const priorityOf = (i: number): number => i % 4;

function setPagingRatio(node: TestNode, ratio: number): void {
  (node.node.config as { memoryPagingRatio: number }).memoryPagingRatio = ratio;
}

/** Publishes message ids [from, from + PER_PHASE) to both queues, alternating persistent and transient. */
async function publishPhase(ch: ConfirmChannel, from: number): Promise<void> {
  for (let i = from; i < from + PER_PHASE; i++) {
    for (const q of ['paged', 'paged-prio']) ch.publish('', q, bodyFor(i, sizeOf(i)), { persistent: i % 2 === 0, priority: priorityOf(i) });
  }
  await within(ch.waitForConfirms(), `confirms of messages ${from}..${from + PER_PHASE - 1}`, SLOW_MS);
}


t.test('normal queues page out under memory pressure and deliver everything in order', async (t) => {
  // paging, and the memory alarm, only far above anything this test uses, until the ratio is lowered
  const node = await startTestNode({ memoryHighWatermark: 1, memoryPagingRatio: 1 });
  t.teardown(() => node.close());
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('paged', { durable: true });
  await ch.assertQueue('paged-prio', { durable: true, arguments: { 'x-max-priority': 3 } });
  const vhost = node.node.broker.vhosts.get('/')!;
  const queues = [vhost.queues.get('paged')!, vhost.queues.get('paged-prio')!];

  await publishPhase(ch, 0);
  t.ok(queues.every((q) => readyEntries(q).every((e) => e.msg !== null)), 'before paging: bodies in memory');
  const bytes = queues.map((q) => q.messages.tally.bytes);

  setPagingRatio(node, 1e-9);
  t.ok(await until(() => queues.every((q) => readyEntries(q).every((e) => e.msg === null && e.stored !== null)), 10_000), 'paging: every ready body is on disk only');
  t.same(queues.map((q) => q.messages.tally.bytes), bytes, 'byte counts unchanged by paging');
  await publishPhase(ch, PER_PHASE);
  t.ok(queues.every((q) => readyEntries(q).every((e) => e.msg === null)), 'published while paging: on disk only');

  setPagingRatio(node, 1);
  t.ok(await until(() => !node.node.broker.memory.paging, 10_000), 'paging stops');
  await publishPhase(ch, 2 * PER_PHASE);
  t.ok(queues.every((q) => readyEntries(q).filter((e) => e.msg !== null).length === PER_PHASE), 'after paging: new bodies in memory again');

  const total = 3 * PER_PHASE;
  const ids = Array.from({ length: total }, (_, i) => i);
  const got = await consumeN(await channel(conn), 'paged', total);
  t.equal(
    got.findIndex((m, j) => !m.content.equals(bodyFor(j, sizeOf(j)))),
    -1,
    `all ${total} delivered intact and in publish order`,
  );
  const byPriority = [...ids].sort((a, b) => priorityOf(b) - priorityOf(a) || a - b);
  const gotPrio = await consumeN(await channel(conn), 'paged-prio', total);
  t.equal(
    gotPrio.findIndex((m, j) => !m.content.equals(bodyFor(byPriority[j]!, sizeOf(byPriority[j]!)))),
    -1,
    `all ${total} delivered intact, highest priority first and in publish order within one`,
  );
});
