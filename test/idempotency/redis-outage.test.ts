// Redis killed and restarted while messages flow: the library reports a typed RedisUnavailableError,
// processes nothing without deduplication meanwhile (requeues instead), reconnects on its own with a
// bounded backoff, and then processes everything: no message lost.
import t from 'tap';
import { redisSkip } from '../helpers/redis.js';
import { RedisUnavailableError } from '../../shared/idempotency/index.js';
import { channel, connect, consume, depth, idempotent, node, redis, Runs, sleep, until } from './support.js';

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

t.test('Redis down: typed errors, nothing processed, then everything once after it returns', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const idem = idempotent(t, { redis: r.url, namespace: 'outage' });
  await idem.ready();
  const runs = new Runs();
  const ch = await channel(conn);
  await consume(ch, 'q.outage', idem, (_m, ctx) => runs.record(ctx.id, ctx));

  const before = ids('before', 10);
  for (const id of before) pub.sendToQueue('q.outage', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.processed === 10, 10_000), 'phase 1 processed');

  await r.kill();
  const during = ids('during', 10);
  for (const id of during) pub.sendToQueue('q.outage', Buffer.from(id), { messageId: id });
  t.ok(await until(() => idem.stats.unavailable >= 20, 10_000), 'deliveries during the outage were refused (and requeued, so seen again)');
  const err = idem.errors.find((e) => e instanceof RedisUnavailableError);
  t.ok(err, 'a RedisUnavailableError was reported');
  t.equal((err as RedisUnavailableError).code, 'WARREN_REDIS_UNAVAILABLE', 'with a stable code');
  t.match(err!.message, /Redis unavailable/, `clear message: ${err!.message}`);
  await t.rejects(idem.ready(300), RedisUnavailableError, 'ready() says so too');
  await sleep(300);
  t.equal(runs.total, 10, 'no handler ran while Redis was down');

  await r.restart(); // a fresh, empty server on the same port
  t.ok(await until(() => idem.stats.processed === 20, 15_000), 'the library reconnected and processed the rest');
  for (const id of [...before, ...during]) t.equal(runs.count(id), 1, `${id} once`);
  await ch.close();
  t.equal(await depth(pub, 'q.outage'), 0, 'nothing lost, nothing left');
});

t.test('Redis dies while a handler runs: requeued, not acked, processed again once Redis is back', { skip: redisSkip }, async (t) => {
  const [n, r] = await Promise.all([node(t), redis(t)]);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const idem = idempotent(t, { redis: r.url, namespace: 'outage-mid' });
  await idem.ready();
  const runs = new Runs();
  let started!: () => void;
  const running = new Promise<void>((res) => (started = res));
  let redisDead!: () => void;
  const dead = new Promise<void>((res) => (redisDead = res));
  const ch = await channel(conn);
  await consume(ch, 'q.outage-mid', idem, async (_m, ctx) => {
    runs.record(ctx.id, ctx);
    if (runs.count(ctx.id) === 1) {
      started();
      await dead; // the effect completes, but "done" can no longer be recorded
    }
  });
  pub.sendToQueue('q.outage-mid', Buffer.from('x'), { messageId: 'mid-1' });
  await running;
  await r.kill();
  redisDead();
  t.ok(await until(() => idem.stats.unavailable >= 2, 10_000), 'mark-done failed as unavailable, then claims failed');
  t.equal(idem.stats.processed, 0, 'never acked without recording done');
  await r.restart();
  t.ok(await until(() => idem.stats.processed === 1, 15_000), 'processed after Redis returned');
  t.equal(runs.count('mid-1'), 2, 'the documented duplicate: the effect ran twice, the message was not lost');
  await ch.close();
  t.equal(await depth(pub, 'q.outage-mid'), 0);
});
