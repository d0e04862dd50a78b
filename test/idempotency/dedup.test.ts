// The notes' §9.1 scenario: the same message (same message-id) delivered many times is processed once,
// through each client library's adapter, against a real Warren node and a real redis-server.
import { AMQPClient, type AMQPMessage } from '@cloudamqp/amqp-client';
import { Connection } from 'rabbitmq-client';
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { amqpClientHandler, amqplibHandler, MissingMessageIdError, rabbitmqClientHandler, type ClaimContext } from '../../shared/idempotency/index.js';
import { channel, connect, consume, depth, idempotent, node, redis, Runs, sleep, until } from './support.js';

/** 20 copies of one id plus 3 copies of each of 5 other ids, interleaved. */
function plan(): string[] {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    ids.push('order-1');
    if (i < 15) ids.push(`order-${2 + (i % 5)}`);
  }
  return ids;
}
const DISTINCT = 6;

t.test('amqplib: a message published N times with one message-id is processed once', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const idem = idempotent(t, { redis: r.url, namespace: 'dedup-amqplib' });
  const runs = new Runs();
  const ch = await channel(conn);
  await consume(ch, 'q.dedup', idem, async (msg, ctx) => {
    runs.record(ctx.id, ctx);
    t.equal(ctx.id, msg.properties.messageId);
    await sleep(20);
  });
  const ids = plan();
  for (const id of ids) pub.sendToQueue('q.dedup', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.processed + idem.stats.duplicates === ids.length, 20_000), 'every copy settled');
  t.equal(runs.byId.size, DISTINCT);
  for (const [id, count] of runs.byId) t.equal(count, 1, `${id} processed once`);
  t.equal(idem.stats.processed, DISTINCT);
  t.equal(idem.stats.duplicates, ids.length - DISTINCT, 'the other copies were acked as duplicates');
  await ch.close(); // anything unacked would go back to the queue now
  t.equal(await depth(pub, 'q.dedup'), 0, 'nothing left or requeued');
  t.same(idem.errors, []);
});

t.test('a caller fingerprint replaces the message-id; no id at all is rejected, not processed', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const runs = new Runs();
  const idem = idempotent(t, { redis: r.url, namespace: 'fingerprint' });
  const ch = await channel(conn);
  await ch.assertQueue('q.fp', { durable: false });
  await ch.consume(
    'q.fp',
    amqplibHandler(idem, ch, (_msg, ctx: ClaimContext) => runs.record(ctx.id, ctx), {
      // The business fingerprint: order number + step, from the body.
      fingerprint: (m) => {
        const body = JSON.parse(m.content.toString()) as { order?: string; step?: string };
        return body.order === undefined ? undefined : `${body.order}/${body.step}`;
      },
    }),
  );
  for (let i = 0; i < 5; i++) pub.sendToQueue('q.fp', Buffer.from(JSON.stringify({ order: 'A7', step: 'pay' })));
  pub.sendToQueue('q.fp', Buffer.from(JSON.stringify({ order: 'A7', step: 'ship' })));
  pub.sendToQueue('q.fp', Buffer.from(JSON.stringify({ note: 'no order number' })));
  t.ok(await until(() => idem.stats.processed + idem.stats.duplicates + idem.stats.missingId === 7, 10_000));
  t.same(Object.fromEntries(runs.byId), { 'A7/pay': 1, 'A7/ship': 1 });
  t.equal(idem.stats.missingId, 1);
  t.ok(idem.errors.some((e) => e instanceof MissingMessageIdError && e.code === 'WARREN_IDEMPOTENCY_NO_ID'), 'typed error reported');
  await ch.close();
  t.equal(await depth(pub, 'q.fp'), 0, 'the id-less message was rejected (no DLX here: dropped), not requeued forever');
});

t.test('@cloudamqp/amqp-client adapter: processed once', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  await pub.assertQueue('q.cloudamqp', { durable: false });
  const idem = idempotent(t, { redis: r.url, namespace: 'dedup-cloudamqp' });
  const client = await new AMQPClient(n.url).connect();
  t.teardown(() => client.close().catch(() => undefined));
  const ch = await client.channel();
  await ch.prefetch(10);
  const runs = new Runs();
  await ch.basicConsume(
    'q.cloudamqp',
    { noAck: false },
    amqpClientHandler(idem, async (msg: AMQPMessage, ctx) => {
      runs.record(ctx.id, ctx);
      t.equal(msg.properties.messageId, ctx.id);
      await sleep(20);
    }),
  );
  const ids = plan();
  for (const id of ids) pub.sendToQueue('q.cloudamqp', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.processed + idem.stats.duplicates === ids.length, 20_000), 'every copy settled');
  t.equal(runs.byId.size, DISTINCT);
  for (const [id, count] of runs.byId) t.equal(count, 1, `${id} processed once`);
  await ch.close();
  t.equal(await depth(pub, 'q.cloudamqp'), 0);
});

t.test('rabbitmq-client adapter: processed once', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  await pub.assertQueue('q.rmqc', { durable: false });
  const idem = idempotent(t, { redis: r.url, namespace: 'dedup-rmqc' });
  const rabbit = new Connection({ url: n.url, retryLow: 100, retryHigh: 500 });
  rabbit.on('error', () => undefined);
  t.teardown(() => rabbit.close());
  const runs = new Runs();
  const sub = rabbit.createConsumer(
    { queue: 'q.rmqc', qos: { prefetchCount: 10 }, concurrency: 10 },
    rabbitmqClientHandler(idem, async (msg, ctx) => {
      runs.record(ctx.id, ctx);
      t.equal(msg.messageId, ctx.id);
      await sleep(20);
    }),
  );
  sub.on('error', () => undefined);
  const ids = plan();
  for (const id of ids) pub.sendToQueue('q.rmqc', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.processed + idem.stats.duplicates === ids.length, 20_000), 'every copy settled');
  t.equal(runs.byId.size, DISTINCT);
  for (const [id, count] of runs.byId) t.equal(count, 1, `${id} processed once`);
  await sub.close();
  t.ok(await until(async () => (await depth(pub, 'q.rmqc')) === 0, 2000), 'queue empty');
});
