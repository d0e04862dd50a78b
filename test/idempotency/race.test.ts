// Two consumers racing on the same message-id: exactly one runs the handler; the other waits for it
// (busy -> delayed requeue) and then acks the copy as a duplicate.
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import type { Channel } from 'amqplib';
import type { IdempotentConsumer, Settlement } from '../../shared/idempotency/index.js';
import { channel, connect, consume, depth, idempotent, node, redis, Runs, sleep, until } from './support.js';

t.test('two consumers on two connections, ten copies of one id: one handler run', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const runs = new Runs();
  const consumers: { idem: IdempotentConsumer; ch: Channel }[] = [];
  for (const name of ['a', 'b']) {
    const conn = await connect(t, n.url);
    const idem = idempotent(t, { redis: r.url, namespace: 'race' });
    const ch = await channel(conn);
    await consume(ch, 'q.race', idem, async (_m, ctx) => {
      runs.record(`${ctx.id}@${name}`, ctx);
      await sleep(300);
    });
    consumers.push({ idem, ch });
  }
  const pubConn = await connect(t, n.url);
  const pub = await channel(pubConn);
  for (let i = 0; i < 10; i++) pub.sendToQueue('q.race', Buffer.from('x'), { messageId: 'race-1' });
  const settled = (): number => consumers.reduce((s, c) => s + c.idem.stats.processed + c.idem.stats.duplicates, 0);
  t.ok(await until(() => settled() === 10, 15_000), 'all ten copies settled');
  t.equal(runs.total, 1, `one handler run in all (${[...runs.byId.keys()].join(', ')})`);
  t.ok(consumers.every((c) => c.idem.stats.processed + c.idem.stats.duplicates > 0), 'both consumers got copies');
  t.ok(consumers.reduce((s, c) => s + c.idem.stats.busy, 0) > 0, 'copies arriving mid-handler were held back as busy');
  for (const c of consumers) await c.ch.close();
  t.equal(await depth(pub, 'q.race'), 0);
});

t.test('two instances, 50 concurrent claims each on one id: one handler run', { skip: redisSkip }, async (t) => {
  const r = await redis(t);
  const a = idempotent(t, { redis: r.url, namespace: 'race-direct' });
  const b = idempotent(t, { redis: r.url, namespace: 'race-direct' });
  await Promise.all([a.ready(), b.ready()]);
  let ran = 0;
  const work = async (): Promise<void> => {
    ran++;
    await sleep(100);
  };
  const all: Promise<Settlement>[] = [];
  for (let i = 0; i < 50; i++) all.push(a.process('same', work), b.process('same', work));
  const results = await Promise.all(all);
  t.equal(ran, 1, 'the handler ran once');
  t.equal(results.filter((s) => s.action === 'ack' && s.reason === 'processed').length, 1, 'one processed');
  t.equal(results.filter((s) => s.action === 'nack' && s.reason === 'busy' && s.requeue).length, 99, 'the rest told to requeue (busy)');
  const again = await b.process('same', work);
  t.same(again, { action: 'ack', reason: 'duplicate' }, 'a later copy is a duplicate');
  t.equal(ran, 1);
});
