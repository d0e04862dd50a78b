/**
 * Redis-backed deduplication when Redis fails, with real redis-server processes (killed, restarted on the
 * same port, or paused with SIGSTOP so that replies are lost) and amqplib over TCP. Wait mode: publishers
 * are blocked (connection.blocked), their connection survives missed heartbeats while paused, and every
 * message is routed exactly once when Redis is back, a retried check never taking its own write for a
 * duplicate. Reject mode: confirm-mode publishers get nacks, others a 506 channel close, and a value whose
 * check timed out is released so that its retry passes. A publisher gone while its check was in flight,
 * or a client closing its connection right after publishing, loses nothing.
 */
import t from 'tap';
import amqp, { type ConfirmChannel } from 'amqplib';
import type { TestNode } from '../../helpers/node.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { cloudamqpConnect, nextError } from '../broker/helpers.js';
import { boundQueues, channel, confirmChannel, connect, DEDUP, dedupHeaders, drain, publishAcked, replyText, sleep, until, within, type Scope } from './helpers.js';
import { inspector, redisNode, redisSkip } from './redis-helpers.js';

const skip = { skip: redisSkip };
const SIZE = { 'x-cache-size': 10_000 };

/** A redis-server of the test's own (this file kills and pauses them). */
async function ownRedis(t: Scope): Promise<TestRedis> {
  const redis = await startRedis();
  t.teardown(async () => {
    if (redis.running()) process.kill(redis.pid()!, 'SIGCONT');
    await redis.kill();
  });
  return redis;
}

const pause = (redis: TestRedis): boolean => process.kill(redis.pid()!, 'SIGSTOP');
const resume = (redis: TestRedis): boolean => process.kill(redis.pid()!, 'SIGCONT');

/** A confirm channel with a deduplication exchange `x` bound to queue `${x}-q`. */
async function dedupChannel(t: Scope, node: TestNode, x: string, url = node.url): Promise<ConfirmChannel> {
  const ch = await confirmChannel(await connect(t, url));
  await ch.assertExchange(x, DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, x, [`${x}-q`]);
  return ch;
}

t.test('wait mode: Redis killed mid-run blocks the publisher; every message is routed once when it is back', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis, { heartbeat: 1 });
  const conn = await connect(t, `${node.url}?heartbeat=1`);
  const events: string[] = [];
  conn.on('blocked', (reason: string) => events.push(`blocked: ${reason}`));
  conn.on('unblocked', () => events.push('unblocked'));
  conn.on('close', () => events.push('closed'));
  const ch = await confirmChannel(conn);
  await ch.assertExchange('ro-wait', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'ro-wait', ['ro-wait-q']);

  const total = 400;
  let confirmed = 0;
  const publisher = (async () => {
    for (let i = 0; i < total; i += 20) {
      for (let j = i; j < i + 20; j++) ch.publish('ro-wait', '', Buffer.from(`v${j}`), { headers: dedupHeaders(`v${j}`) });
      await ch.waitForConfirms();
      confirmed = i + 20;
    }
  })();
  t.ok(await until(() => confirmed >= 100, 10_000), 'publishing runs');
  await redis.kill();
  await sleep(3000); // over two heartbeat intervals: the paused connection must not be dropped for it
  const stalledAt = confirmed;
  t.ok(stalledAt < total, `publishing stalled at ${stalledAt}`);
  t.same(events, ['blocked: deduplication store unavailable'], 'the publisher was told why');
  await redis.restart();
  await within(publisher, 'the publisher finishing once Redis is back', 20_000);
  t.ok(await until(() => events.includes('unblocked')), 'and unblocked');
  t.notOk(events.includes('closed'), 'the connection survived the outage');
  t.same(await drain(ch, 'ro-wait-q'), Array.from({ length: total }, (_, i) => `v${i}`), 'every message once, in order');

  // what was checked after the restart is in the new Redis: republished, it is a duplicate
  for (let j = 300; j < total; j++) ch.publish('ro-wait', '', Buffer.from(`again-v${j}`), { headers: dedupHeaders(`v${j}`) });
  ch.publish('ro-wait', '', Buffer.from('new'), { headers: dedupHeaders('new') });
  await within(ch.waitForConfirms(), 'confirms');
  t.same(await drain(ch, 'ro-wait-q'), ['new']);
});

t.test('wait mode: a check whose reply was lost is retried with its token and routes the message once', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis);
  const ch = await dedupChannel(t, node, 'ro-token');
  t.ok(await publishAcked(ch, 'ro-token', '', 'a', { headers: dedupHeaders('a') }));
  pause(redis);
  const acked = publishAcked(ch, 'ro-token', '', 'b', { headers: dedupHeaders('b') });
  await sleep(2500); // past the 2 s command timeout: the check was sent, timed out and sent again
  resume(redis);
  t.ok(await acked, 'confirmed once Redis answers');
  t.ok(await publishAcked(ch, 'ro-token', '', 'b-again', { headers: dedupHeaders('b') }));
  t.same(await drain(ch, 'ro-token-q'), ['a', 'b'], 'b routed once, its retry not taken for a duplicate, its republish dropped');
});

t.test('reject mode: nack in confirm mode, 506 otherwise; plain publishes unaffected; back to normal after', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis, { dedupRedisUnavailable: 'reject' });
  const conn = await connect(t, node.url);
  const ch = await dedupChannel(t, node, 'ro-rej');
  await ch.assertQueue('ro-rej-plain', { durable: false });
  t.ok(await publishAcked(ch, 'ro-rej', '', 'a', { headers: dedupHeaders('a') }));
  await redis.kill();
  t.notOk(await publishAcked(ch, 'ro-rej', '', 'b', { headers: dedupHeaders('b') }), 'a publish needing Redis is nacked');
  t.ok(await publishAcked(ch, 'ro-rej', '', 'n', {}), 'one without x-deduplication-header is not');
  t.ok(await publishAcked(ch, '', 'ro-rej-plain', 'p'), 'nor one to another exchange');
  const plain = await channel(conn);
  const closed = nextError(plain);
  plain.publish('ro-rej', '', Buffer.from('c'), { headers: dedupHeaders('c') });
  const e = await closed;
  t.equal(e.code, 506, 'without confirms the channel is closed');
  t.match(replyText(e), /^RESOURCE_ERROR - cannot check for duplicates at exchange 'ro-rej' in vhost '\/': .*Redis unavailable/);
  await redis.restart();
  t.ok(await until(() => publishAcked(ch, 'ro-rej', '', 'b-retried', { headers: dedupHeaders('b') }), 10_000), 'acked again once Redis is back');
  t.same(await drain(ch, 'ro-rej-q'), ['a', 'n', 'b-retried']);
  t.same(await drain(ch, 'ro-rej-plain'), ['p']);
});

t.test('reject mode: a value recorded by a check that timed out is released, so its retry passes', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis, { dedupRedisUnavailable: 'reject' });
  const ch = await dedupChannel(t, node, 'ro-release');
  pause(redis);
  const nacked = publishAcked(ch, 'ro-release', '', 'x', { headers: dedupHeaders('x') });
  t.notOk(await nacked, 'nacked when the check timed out');
  resume(redis); // the timed-out check runs now, then the release queued behind it
  t.ok(await publishAcked(ch, 'ro-release', '', 'x-retried', { headers: dedupHeaders('x') }), 'the retry is acked');
  t.same(await drain(ch, 'ro-release-q'), ['x-retried'], 'and routed, not dropped as a duplicate of the nacked one');
});

t.test('a publisher gone while its check is in flight leaves nothing recorded', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis);
  const client = inspector(t, redis);
  const conn = await amqp.connect(node.url); // not closed at teardown: the test cuts it
  conn.on('error', () => {});
  const ch = await confirmChannel(conn);
  await ch.assertExchange('ro-gone', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'ro-gone', ['ro-gone-q']);
  pause(redis);
  ch.publish('ro-gone', '', Buffer.from('y'), { headers: dedupHeaders('y') });
  await sleep(300);
  // the socket cut under the client (with an error, so that amqplib stops its heartbeats too)
  (conn as unknown as { connection: { stream: { destroy(e: Error): void } } }).connection.stream.destroy(new Error('cut'));
  await sleep(200);
  resume(redis);
  const key = 'warren:dedup:{%2F:ro-gone}:seen:b:eQ==';
  t.ok(await until(async () => (await client.exists(key)) === 0 && (await client.exists('warren:dedup:{%2F:ro-gone}:seq')) === 1, 5000), 'the value was recorded, then released');
  const ch2 = await dedupChannel(t, node, 'ro-gone');
  t.same(await drain(ch2, 'ro-gone-q'), [], 'the message was not routed');
  t.ok(await publishAcked(ch2, 'ro-gone', '', 'y-again', { headers: dedupHeaders('y') }));
  t.same(await drain(ch2, 'ro-gone-q'), ['y-again'], 'its republish passes');
});

t.test('connection.close right after publishing: the publish waiting for Redis is routed first', skip, async (t) => {
  const redis = await ownRedis(t);
  const node = await redisNode(t, redis);
  const ch = await dedupChannel(t, node, 'ro-close');
  // @cloudamqp/amqp-client writes in call order (amqplib may send connection.close ahead of a publish)
  const conn = await cloudamqpConnect(t, node.url);
  const publisher = await conn.channel();
  pause(redis);
  await publisher.basicPublish('ro-close', '', 'z', { headers: { 'x-deduplication-header': 'z' } });
  let closed = false;
  const closing = conn.close().then(() => (closed = true));
  await sleep(300);
  t.notOk(closed, 'close-ok waits for the publish');
  resume(redis);
  await within(closing, 'connection close');
  t.same(await drain(ch, 'ro-close-q'), ['z']);
});
