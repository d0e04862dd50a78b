/**
 * Resource alarms (disk free limit above the free space, or a tiny memory high watermark): a publishing
 * connection that advertises connection.blocked gets connection.blocked and its publishes stop being
 * processed, while a consumer on another connection keeps draining; once the limit is lifted through the
 * live config object, within about two seconds it gets connection.unblocked and its publishes arrive.
 */
import { once } from 'node:events';
import t from 'tap';
import type { Channel, ChannelModel } from 'amqplib';
import { Message } from '../../../node/broker/message.js';
import { channel, confirmChannel, connect, consumeN, depth, publishMany, sleep, startTestNode, until, within, type TestNode } from './helpers.js';

t.setTimeout(300_000);

/** Publishes on `conn` once every 100 ms until it is blocked (bounded); returns how many were sent. */
async function publishUntilBlocked(conn: ChannelModel, ch: Channel, queue: string): Promise<number> {
  let blocked = false;
  const reason = once(conn, 'blocked').then(([r]) => {
    blocked = true;
    return r as string;
  });
  let sent = 0;
  const deadline = Date.now() + 15_000;
  while (!blocked && Date.now() < deadline) {
    ch.sendToQueue(queue, Buffer.from(`early-${sent++}`));
    await sleep(100);
  }
  await within(reason, 'connection.blocked', 100);
  return sent;
}

interface Alarm {
  readonly name: string;
  readonly start: Parameters<typeof startTestNode>[0];
  /** Sets the alarm off (lifts the limit) through the live config. */
  lift(node: TestNode): void;
  /** Sets the alarm on, or undefined if it is on from the start. */
  raise?(node: TestNode): void;
  readonly reason: RegExp;
}

const alarms: Alarm[] = [
  {
    name: 'disk free limit above the free space',
    start: { diskFreeLimit: 0 },
    raise: (node) => (node.node.config.diskFreeLimit = Number.MAX_SAFE_INTEGER),
    lift: (node) => (node.node.config.diskFreeLimit = 0),
    reason: /disk/,
  },
  {
    name: 'tiny memory high watermark',
    start: { memoryHighWatermark: 0.0001 },
    lift: (node) => (node.node.config.memoryHighWatermark = 0.9),
    reason: /memory/,
  },
];

for (const a of alarms) {
  t.test(`${a.name}: publishers are blocked, consumers keep draining, lifting the limit unblocks`, async (t) => {
    const node = await startTestNode(a.start);
    t.teardown(() => node.close());
    const BACKLOG = 200;
    // the backlog: filled before the alarm when it can be, else straight into the queue in-process
    const consumerConn = await connect(t, node.url);
    const c = await confirmChannel(consumerConn);
    await c.assertQueue('backlog', { durable: false });
    await c.assertQueue('target', { durable: false });
    if (a.raise) {
      const filler = await connect(t, node.url);
      await publishMany(await confirmChannel(filler), '', 'backlog', BACKLOG, (i) => Buffer.from(`b${i}`));
      await filler.close();
      a.raise(node);
    } else {
      const v = node.node.broker.vhosts.get('/')!;
      for (let i = 0; i < BACKLOG; i++) v.enqueue([v.queues.get('backlog')!], new Message('', 'backlog', Buffer.alloc(0), Buffer.from(`b${i}`)));
    }

    const pubConn = await connect(t, node.url);
    let blockReason = '';
    pubConn.on('blocked', (r: string) => (blockReason = r));
    let unblocked = false;
    pubConn.on('unblocked', () => (unblocked = true));
    // channels opened now: a blocked connection's channel.open would not be read either
    const pub = await confirmChannel(pubConn);
    const early = await publishUntilBlocked(pubConn, await channel(pubConn), 'target');
    t.match(blockReason, a.reason, `blocked after ${early} publishes, reason '${blockReason}'`);
    const atBlock = await depth(c, 'target');
    t.ok(atBlock <= early, `${atBlock} of them arrived before the block`);

    const LATE = 50;
    const confirmed = publishMany(pub, '', 'target', LATE, (i) => Buffer.from(`late-${i}`), {}, 500, 30_000);
    confirmed.catch(() => {});
    const drained = await consumeN(await channel(consumerConn), 'backlog', BACKLOG, { ms: 10_000 });
    t.same(drained.map((m) => m.content.toString()), Array.from({ length: BACKLOG }, (_, i) => `b${i}`), 'a consumer on another connection drains the backlog meanwhile');
    await sleep(1500);
    t.equal(await depth(c, 'target'), atBlock, 'publishes sent while blocked are not processed');
    t.notOk(unblocked, 'still blocked');

    a.lift(node);
    const liftedAt = Date.now();
    t.ok(await until(() => unblocked, 5000), `connection.unblocked ${Date.now() - liftedAt} ms after the limit was lifted`);
    await within(confirmed, 'the confirms of the publishes sent while blocked', 15_000);
    // an early publish the client sent as the block took effect was held too, so it arrives now, first
    t.ok(await until(async () => (await depth(c, 'target')) === early + LATE, 3000), `the held publishes arrive (${early - atBlock} early, ${LATE} late)`);
    const ch = await channel(consumerConn);
    const bodies = (await consumeN(ch, 'target', early + LATE)).map((m) => m.content.toString());
    const sent = [...Array.from({ length: early }, (_, i) => `early-${i}`), ...Array.from({ length: LATE }, (_, i) => `late-${i}`)];
    t.same(bodies, sent, 'in order, nothing lost');
  });
}
